using System.Buffers.Binary;
using System.Text.Json;
using MuonInr.IO;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.IO;

public class ImageIoTests
{
    // Small enough that a header declaring a huge image is refused before StbImageSharp allocates for it.
    private const long TestCap = 1L << 20;

    private static JsonElement[] CaseList() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("images", "cases.json"))).RootElement.EnumerateArray().ToArray();

    public static IEnumerable<object[]> Cases() => CaseList().Select(c => new object[] { c.GetProperty("file").GetString()! });

    private static string[] Files() => CaseList().Select(c => c.GetProperty("file").GetString()!).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decodes_jpeg_bmp_tga_and_gif_fixtures_to_the_expected_samples(string file)
    {
        var c = CaseList().Single(e => e.GetProperty("file").GetString() == file);
        var img = ImageIo.Read(Fixtures.Path_("images", file));
        Assert.Equal(Enum.Parse<ImageFormat>(c.GetProperty("format").GetString()!), img.Format);
        Assert.Equal((c.GetProperty("width").GetInt32(), c.GetProperty("height").GetInt32(), c.GetProperty("channels").GetInt32()),
            (img.Width, img.Height, img.Channels));
        Assert.Equal(8, img.BitDepth);
        Assert.Equal((0.0, 255.0), (img.SourceZero, img.SourceOne));
        var expected = c.GetProperty("samples").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var actual = img.Pixels.Select(v => (int)MathF.Round(v * 255f)).ToArray();
        int tolerance = c.GetProperty("tolerance").GetInt32();
        if (tolerance == 0)
        {
            Assert.Equal(expected, actual);
            Assert.All(img.Pixels, v => Assert.Equal(MathF.Round(v * 255f) / 255f, v)); // exactly sample / 255
        }
        else
        {
            // JPEG is lossy: every sample near the source, and the mean error small.
            var diff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).ToArray();
            Assert.True(diff.Max() <= tolerance, $"max |error| {diff.Max()} > {tolerance}");
            Assert.True(diff.Average() <= tolerance / 4.0, $"mean |error| {diff.Average():F2} > {tolerance / 4.0}");
        }
    }

    [Theory]
    [InlineData("c0_d16_i0.png")] [InlineData("c3_d4_i1.png")] [InlineData("c6_d8_i0.png")] [InlineData("c4_d16_i1.png")]
    public void Png_goes_through_the_png_reader_keeping_its_bit_depth(string file)
    {
        var png = Png.Read(Fixtures.Path_("png", file));
        var img = ImageIo.Read(Fixtures.Path_("png", file));
        Assert.Equal(ImageFormat.Png, img.Format);
        Assert.Equal((png.Height, png.Width, png.Channels, png.BitDepth), (img.Height, img.Width, img.Channels, img.BitDepth));
        Assert.Equal(png.ToFloat(), img.Pixels);
        Assert.Equal((0.0, (double)png.MaxValue), (img.SourceZero, img.SourceOne));
    }

    [Fact]
    public void The_format_comes_from_the_bytes_not_the_extension()
    {
        string dir = Directory.CreateTempSubdirectory("muoninr-imageio-").FullName;
        try
        {
            string disguised = Path.Combine(dir, "really_a_gif.png");
            File.Copy(Fixtures.Path_("images", "palette.gif"), disguised);
            Assert.Equal(ImageFormat.Gif, ImageIo.Read(disguised).Format);
            string tga = Path.Combine(dir, "no_extension");
            File.Copy(Fixtures.Path_("images", "gray8.tga"), tga);
            Assert.Equal(ImageFormat.Tga, ImageIo.Read(tga).Format);
            // A TGA without the 2.0 footer is still recognised from its header fields.
            var bytes = File.ReadAllBytes(Fixtures.Path_("images", "rgb24.tga"));
            Assert.Equal(ImageFormat.Tga, ImageIo.Detect(bytes.AsSpan(0, bytes.Length - 26)));
            Assert.Equal(ImageFormat.Dicom, ImageIo.Detect(File.ReadAllBytes(Fixtures.Path_("dicom", "implicit_u16.dcm"))));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Directories_missing_files_and_unknown_formats_give_one_line_errors()
    {
        string dir = Directory.CreateTempSubdirectory("muoninr-imageio-").FullName;
        try
        {
            var e = Assert.Throws<DataFormatException>(() => ImageIo.Read(dir));
            Assert.Equal($"'{dir}' is a directory, not an image file.", e.Message);
            string missing = Path.Combine(dir, "nope.jpg");
            Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => ImageIo.Read(missing)).Message);
            string text = Path.Combine(dir, "notes.png");
            File.WriteAllText(text, "just some text, not an image at all");
            var u = Assert.Throws<DataFormatException>(() => ImageIo.Read(text));
            AssertOneLine(u.Message);
            Assert.Contains(ImageIo.SupportedFormats, u.Message);
            string empty = Path.Combine(dir, "empty.bmp");
            File.WriteAllBytes(empty, []);
            AssertOneLine(Assert.Throws<DataFormatException>(() => ImageIo.Read(empty)).Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Images_over_the_memory_cap_are_refused_before_decoding_naming_size_and_memory()
    {
        // 13x9x3 floats = 1404 bytes; a 1000-byte cap refuses it from the header alone.
        var e = Assert.Throws<DataFormatException>(() => ImageIo.Read(Fixtures.Path_("images", "rgb24.bmp"), 1000));
        AssertOneLine(e.Message);
        Assert.Contains("13x9 with 3 channel(s)", e.Message);
        Assert.Contains("memory available", e.Message);
        Assert.Contains("7x5 with 1 channel", Assert.Throws<DataFormatException>(() => ImageIo.Read(Fixtures.Path_("dicom", "explicit_u8_odd.dcm"), 100)).Message);
        Assert.Contains("with 1 channel", Assert.Throws<DataFormatException>(() => ImageIo.Read(Fixtures.Path_("png", "c0_d16_i0.png"), 100)).Message);
        Assert.True(ImageIo.DefaultMaxDecodedBytes() > 0);
    }

    [Fact]
    public void Huge_declared_dimensions_are_refused_with_one_line()
    {
        var cases = new List<(string Name, byte[] Bytes)>();
        void Patch(string file, Action<byte[]> patch) { var b = File.ReadAllBytes(Fixtures.Path_("images", file)); patch(b); cases.Add((file, b)); }
        Patch("rgb24.bmp", b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), 1 << 20); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), 1 << 20); });
        Patch("rgba32.bmp", b => { BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), int.MaxValue); BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), int.MinValue); });
        Patch("rgb24.tga", b => { BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), 65535); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), 65535); });
        Patch("palette.gif", b => { BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), 65535); BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), 65535); });
        Patch("rgb_q95.jpg", b => { int sof = FindSof(b); BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(sof + 5), 65535); BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(sof + 7), 65535); });
        Patch("rgb_q90_420_progressive.jpg", b => { int sof = FindSof(b); BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(sof + 5), 30000); });
        var png = File.ReadAllBytes(Fixtures.Path_("png", "c6_d8_i0.png"));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000); BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 100_000);
        cases.Add(("png", png));
        foreach (var (name, bytes) in cases)
        {
            var e = Assert.Throws<DataFormatException>(() => ImageIo.Decode(bytes, name, TestCap));
            AssertOneLine(e.Message);
            Assert.Contains(name, e.Message);
        }
    }

    [Fact]
    public void Truncation_at_every_byte_ends_in_a_decode_or_a_one_line_DataFormatException() =>
        WithinTimeCap(report =>
        {
            foreach (string file in Files())
            {
                var good = File.ReadAllBytes(Fixtures.Path_("images", file));
                for (int cut = 0; cut < good.Length; cut++)
                {
                    report($"{file} cut at {cut}");
                    DecodeOrCleanError(good[..cut], file);
                }
            }
        });

    [Fact]
    public void Bit_flips_in_the_header_region_end_in_a_decode_or_a_one_line_DataFormatException() =>
        WithinTimeCap(report =>
        {
            foreach (string file in Files())
            {
                var good = File.ReadAllBytes(Fixtures.Path_("images", file));
                for (int i = 0; i < Math.Min(good.Length, 160); i++)
                    for (int bit = 0; bit < 8; bit++)
                    {
                        report($"{file} byte {i} bit {bit}");
                        var b = (byte[])good.Clone();
                        b[i] ^= (byte)(1 << bit);
                        DecodeOrCleanError(b, file);
                    }
            }
        });

    [Fact]
    public void Length_and_size_field_lies_end_in_a_decode_or_a_one_line_DataFormatException() =>
        WithinTimeCap(report =>
        {
            // Every 2- and 4-byte field of the header region (both byte orders: JPEG is big-endian) set to
            // extreme values: covers segment and block lengths, offsets, dimensions and counts alike.
            ushort[] shorts = [0, 1, 2, 0x7FFF, 0x8000, 0xFFFF];
            uint[] ints = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];
            foreach (string file in Files())
            {
                var good = File.ReadAllBytes(Fixtures.Path_("images", file));
                for (int i = 0; i + 2 <= Math.Min(good.Length, 96); i++)
                {
                    foreach (ushort v in shorts)
                    {
                        report($"{file} u16 {v} at {i}");
                        var le = (byte[])good.Clone(); BinaryPrimitives.WriteUInt16LittleEndian(le.AsSpan(i), v); DecodeOrCleanError(le, file);
                        var be = (byte[])good.Clone(); BinaryPrimitives.WriteUInt16BigEndian(be.AsSpan(i), v); DecodeOrCleanError(be, file);
                    }
                    if (i + 4 > good.Length) continue;
                    foreach (uint v in ints)
                    {
                        report($"{file} u32 {v} at {i}");
                        var le = (byte[])good.Clone(); BinaryPrimitives.WriteUInt32LittleEndian(le.AsSpan(i), v); DecodeOrCleanError(le, file);
                    }
                }
            }
        });

    /// <summary>A decode that is self-consistent, or a DataFormatException with a one-line message; anything else fails.</summary>
    private static void DecodeOrCleanError(byte[] bytes, string name)
    {
        DecodedImage img;
        try { img = ImageIo.Decode(bytes, name, TestCap); }
        catch (DataFormatException e) { AssertOneLine(e.Message); return; }
        Assert.Equal((long)img.Height * img.Width * img.Channels, img.Pixels.LongLength);
        Assert.InRange(img.Channels, 1, 4);
        foreach (float v in img.Pixels) if (!(v >= 0f && v <= 1f)) Assert.Fail($"{name}: sample {v} outside [0, 1]");
    }

    internal static void AssertOneLine(string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
    }

    /// <summary>Runs a robustness sweep with a wall-clock cap, so a decoder that hangs fails the test (naming the input) instead of stalling the suite.</summary>
    internal static void WithinTimeCap(Action<Action<string>> sweep, int seconds = 20)
    {
        string current = "(not started)";
        var task = Task.Run(() => sweep(s => Volatile.Write(ref current, s)));
        if (!task.Wait(TimeSpan.FromSeconds(seconds)))
            Assert.Fail($"robustness sweep still running after {seconds} s, at {Volatile.Read(ref current)}");
        task.GetAwaiter().GetResult();
    }

    private static int FindSof(byte[] jpeg)
    {
        for (int i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2) return i;
        throw new InvalidOperationException("no SOF marker");
    }
}
