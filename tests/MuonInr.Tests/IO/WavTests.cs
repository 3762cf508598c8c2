using System.Text.Json;
using MuonInr.IO;
using MuonInr.Metrics;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.IO;

public class WavTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("wav", "cases.json"))).RootElement;

    public static IEnumerable<object[]> Files() => Doc.GetProperty("files").EnumerateArray().Select(e => new object[] { e.GetProperty("file").GetString()! });

    [Theory]
    [MemberData(nameof(Files))]
    public void Reads_what_libsndfile_wrote(string file)
    {
        var c = Doc.GetProperty("files").EnumerateArray().Single(e => e.GetProperty("file").GetString() == file);
        var audio = Wav.Read(Fixtures.Path_("wav", file));
        Assert.Equal(c.GetProperty("channels").GetInt32(), audio.Channels);
        Assert.Equal(c.GetProperty("rate").GetInt32(), audio.SampleRate);
        Assert.Equal(Enum.Parse<WavSampleFormat>(c.GetProperty("format").GetString()!), audio.Format);
        var expected = c.GetProperty("samples").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(expected.Length, audio.Samples.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], audio.Samples[i], 1e-6);
    }

    [Theory]
    [InlineData(WavSampleFormat.Pcm8, 1)] [InlineData(WavSampleFormat.Pcm16, 2)] [InlineData(WavSampleFormat.Pcm24, 1)]
    [InlineData(WavSampleFormat.Pcm32, 3)] [InlineData(WavSampleFormat.Float32, 2)] [InlineData(WavSampleFormat.Float64, 1)]
    public void Round_trips_every_format(WavSampleFormat format, int channels)
    {
        var rng = new Random((int)format * 10 + channels);
        var x = Enumerable.Range(0, 101 * channels).Select(_ => (float)(rng.NextDouble() * 1.9 - 0.95)).ToArray();
        var back = Wav.Decode(Wav.Encode(new WavAudio(x, channels, 22050, format), format));
        Assert.Equal((channels, 22050, format), (back.Channels, back.SampleRate, back.Format));
        double step = format switch { WavSampleFormat.Pcm8 => 1.0 / 128, WavSampleFormat.Pcm16 => 1.0 / 32768, WavSampleFormat.Pcm24 => 1.0 / 8388608, _ => 1e-7 };
        for (int i = 0; i < x.Length; i++) Assert.True(Math.Abs(x[i] - back.Samples[i]) <= step, $"{format} sample {i}: {x[i]} → {back.Samples[i]}");
        Assert.Equal(x.Where((_, i) => i % channels == 0), back.Channel(0), new ToleranceComparer(step));
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(float v) => 0;
    }

    [Fact]
    public void Truncated_and_malformed_files_give_clear_errors()
    {
        var good = File.ReadAllBytes(Fixtures.Path_("wav", "pcm_16_2ch.wav"));
        for (int cut = 0; cut < good.Length - 1; cut += 7)
        {
            var e = Record.Exception(() => Wav.Decode(good.AsSpan(0, cut), "cut.wav"));
            Assert.True(e is DataFormatException, $"cut at {cut}: {e?.GetType().Name ?? "no error"}");
        }
        var badTag = (byte[])good.Clone();
        int fmt = IndexOf(badTag, "fmt "u8);
        badTag[fmt + 8] = 0x55; // format tag 0x??55
        Assert.Contains("unsupported encoding", Assert.Throws<DataFormatException>(() => Wav.Decode(badTag, "tag.wav")).Message);
        Assert.Contains("RIFF", Assert.Throws<DataFormatException>(() => Wav.Decode("not a wav file at all"u8, "x.wav")).Message);
        Assert.Throws<FileNotFoundException>(() => Wav.Read("/nonexistent.wav"));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    [Fact]
    public void Snr_and_si_snr_match_their_definitions()
    {
        foreach (var m in Doc.GetProperty("metrics").EnumerateArray())
        {
            var t = m.GetProperty("target").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            var p = m.GetProperty("prediction").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            Assert.Equal(m.GetProperty("snr").GetDouble(), AudioQuality.Snr(p, t), 1e-6);
            Assert.Equal(m.GetProperty("si_snr").GetDouble(), AudioQuality.SiSnr(p, t), 1e-6);
            // Scale invariance: SI-SNR ignores gain and offset, SNR does not.
            var scaled = p.Select(v => 3f * v + 0.5f).ToArray();
            Assert.Equal(AudioQuality.SiSnr(p, t), AudioQuality.SiSnr(scaled, t), 3);
        }
    }

    [RequiresSharedDataFact]
    public void Reads_the_siren_bach_clip()
    {
        var b = Doc.GetProperty("bach");
        var audio = Wav.Read(SharedData.File("audio/gt_bach.wav"));
        Assert.Equal(WavSampleFormat.Float32, audio.Format);
        Assert.Equal(b.GetProperty("rate").GetInt32(), audio.SampleRate);
        Assert.Equal(b.GetProperty("frames").GetInt32(), audio.Frames);
        Assert.Equal(b.GetProperty("sum").GetDouble(), audio.Samples.Sum(v => (double)v), 1e-6);
        foreach (var p in b.GetProperty("positions").EnumerateArray())
            Assert.Equal((float)p[1].GetDouble(), audio.Samples[p[0].GetInt32()]);
    }
}
