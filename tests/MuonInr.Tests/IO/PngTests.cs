using System.Text.Json;
using MuonInr.IO;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.IO;

public class PngTests
{
    public static IEnumerable<object[]> Cases()
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("png", "cases.json")));
        foreach (var c in doc.RootElement.EnumerateArray()) yield return [c.GetProperty("file").GetString()!];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decodes_every_colour_type_depth_filter_and_interlace(string file)
    {
        var c = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("png", "cases.json"))).RootElement.EnumerateArray()
            .Single(e => e.GetProperty("file").GetString() == file);
        var img = Png.Read(Fixtures.Path_("png", file));
        Assert.Equal(c.GetProperty("width").GetInt32(), img.Width);
        Assert.Equal(c.GetProperty("height").GetInt32(), img.Height);
        Assert.Equal(c.GetProperty("channels").GetInt32(), img.Channels);
        Assert.Equal(c.GetProperty("bit_depth").GetInt32(), img.BitDepth);
        Assert.Equal(c.GetProperty("samples").EnumerateArray().Select(v => (ushort)v.GetInt32()).ToArray(), img.Samples);
    }

    [Theory]
    [InlineData(1, 8)] [InlineData(2, 8)] [InlineData(3, 8)] [InlineData(4, 8)]
    [InlineData(1, 16)] [InlineData(2, 16)] [InlineData(3, 16)] [InlineData(4, 16)]
    public void Round_trips_through_the_encoder(int channels, int depth)
    {
        var rng = new Random(channels * 100 + depth);
        int w = 37, h = 23, max = (1 << depth) - 1;
        var samples = Enumerable.Range(0, w * h * channels).Select(_ => (ushort)rng.Next(max + 1)).ToArray();
        var img = new PngImage(w, h, channels, depth, samples);
        var back = Png.Decode(Png.Encode(img));
        Assert.Equal((img.Width, img.Height, img.Channels, img.BitDepth), (back.Width, back.Height, back.Channels, back.BitDepth));
        Assert.Equal(samples, back.Samples);
        // Float conversion: exact for every representable value.
        var f = PngImage.FromFloat(img.ToFloat(), w, h, channels, depth);
        Assert.Equal(samples, f.Samples);
    }

    [Fact]
    public void Corrupt_and_truncated_files_give_a_clear_error()
    {
        var good = File.ReadAllBytes(Fixtures.Path_("png", "c2_d8_i0.png"));
        var flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x40;
        Assert.Contains("CRC mismatch", Assert.Throws<DataFormatException>(() => Png.Decode(flipped, "x.png")).Message);
        for (int cut = 1; cut < good.Length; cut += Math.Max(1, good.Length / 25))
        {
            var e = Assert.Throws<DataFormatException>(() => Png.Decode(good.AsSpan(0, cut), "cut.png"));
            Assert.Contains("cut.png", e.Message);
        }
        Assert.Contains("signature", Assert.Throws<DataFormatException>(() => Png.Decode("GIF89a-not-a-png"u8, "g.png")).Message);
        var rnd = new byte[500]; new Random(1).NextBytes(rnd);
        Assert.Throws<DataFormatException>(() => Png.Decode(rnd, "noise.png"));
        Assert.Throws<FileNotFoundException>(() => Png.Read("/nonexistent/image.png"));
    }

    [Fact]
    public void Writer_is_atomic_and_never_overwrites_unless_asked()
    {
        string dir = Path.Combine(Path.GetTempPath(), "muoninr-png-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "a.png");
            var img = PngImage.FromFloat(new float[12], 2, 2, 3);
            Png.Write(path, img);
            Assert.Throws<IOException>(() => Png.Write(path, img));
            Png.Write(path, img, overwrite: true);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally { Directory.Delete(dir, true); }
    }

    [RequiresSharedDataFact]
    public void Shared_images_decode_as_an_independent_decoder_does()
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("png", "shared_decodes.json"))).RootElement;
        foreach (var e in doc.EnumerateArray())
        {
            var img = Png.Read(SharedData.File(e.GetProperty("file").GetString()!));
            Assert.Equal(e.GetProperty("height").GetInt32(), img.Height);
            Assert.Equal(e.GetProperty("width").GetInt32(), img.Width);
            Assert.Equal(e.GetProperty("channels").GetInt32(), img.Channels);
            Assert.Equal(e.GetProperty("sum").GetInt64(), img.Samples.Sum(v => (long)v));
            foreach (var p in e.GetProperty("positions").EnumerateArray())
            {
                int y = p[0].GetInt32(), x = p[1].GetInt32();
                var expected = p[2].EnumerateArray().Select(v => (ushort)v.GetInt32()).ToArray();
                Assert.Equal(expected, img.Samples.AsSpan((y * img.Width + x) * img.Channels, img.Channels).ToArray());
            }
        }
    }
}

public class PngBombTests
{
    [Fact]
    public void A_huge_header_with_little_data_is_refused_before_allocating()
    {
        var img = MuonInr.IO.Png.Encode(MuonInr.IO.PngImage.FromFloat(new float[4 * 4 * 3], 4, 4, 3));
        // Rewrite IHDR's width/height to 30000 x 30000 and fix its CRC.
        var bytes = (byte[])img.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 30000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 30000);
        uint crc = CrcOf(bytes.AsSpan(12, 17));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), crc);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MuonInr.IO.DataFormatException>(() => MuonInr.IO.Png.Decode(bytes, "bomb.png"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "decoder allocated for the bogus size");
        Assert.Contains("bomb.png", e.Message);
    }

    private static uint CrcOf(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }
}
