using System.Diagnostics;
using MuonInr.IO;
using MuonInr.Signals;

namespace MuonInr.Tests.IO;

/// <summary>
/// Corpus-driven robustness of the PNG and WAV decoders: every truncation and bit flips all over small
/// valid files (8- and 16-bit PNG, PCM16 and float WAV) end in a correct decode or a one-line
/// DataFormatException — never another exception, a hang or a large allocation.
/// </summary>
public class PngWavRobustnessTests
{
    private static void Survives(Action decode, string what)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try { decode(); }
        catch (DataFormatException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), what);
            Assert.DoesNotContain('\n', e.Message.TrimEnd());
        }
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20, $"{what}: allocated more than 64 MB");
    }

    public static IEnumerable<object[]> Pngs()
    {
        var px = TestPatterns.HighFrequencyComposite(9, 13);
        yield return [Png.Encode(PngImage.FromFloat(px, 13, 9, 3)), "rgb8"];
        yield return [Png.Encode(PngImage.FromFloat(px, 13, 9, 3, bitDepth: 16)), "rgb16"];
        yield return [Png.Encode(PngImage.FromFloat(px.Where((_, i) => i % 3 == 0).ToArray(), 13, 9, 1)), "gray8"];
    }

    public static IEnumerable<object[]> Wavs()
    {
        var s = TestPatterns.AudioComposite(8000, 0.01);
        yield return [Wav.Encode(new WavAudio(s, 1, 8000, WavSampleFormat.Pcm16), WavSampleFormat.Pcm16), "pcm16"];
        yield return [Wav.Encode(new WavAudio(s, 1, 8000, WavSampleFormat.Float32), WavSampleFormat.Float32), "float32"];
    }

    [Theory]
    [MemberData(nameof(Pngs))]
    public void Png_truncations_and_bit_flips_decode_or_fail_with_one_line(byte[] file, string name)
    {
        var sw = Stopwatch.StartNew();
        for (int n = 0; n < file.Length; n++) Survives(() => Png.Decode(file.AsSpan(0, n), name), $"{name} cut at {n}");
        for (int i = 0; i < file.Length; i++)
            for (int bit = 0; bit < 8; bit += 3)
            {
                var b = (byte[])file.Clone();
                b[i] ^= (byte)(1 << bit);
                Survives(() => Png.Decode(b, name), $"{name} byte {i} bit {bit}");
            }
        Assert.True(sw.Elapsed.TotalSeconds < 30, $"took {sw.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Wavs))]
    public void Wav_truncations_bit_flips_and_length_lies_decode_or_fail_with_one_line(byte[] file, string name)
    {
        for (int n = 0; n < file.Length; n++) Survives(() => Wav.Decode(file.AsSpan(0, n), name), $"{name} cut at {n}");
        for (int i = 0; i < Math.Min(file.Length, 64); i++)   // the header region, every bit
            for (int bit = 0; bit < 8; bit++)
            {
                var b = (byte[])file.Clone();
                b[i] ^= (byte)(1 << bit);
                Survives(() => Wav.Decode(b, name), $"{name} byte {i} bit {bit}");
            }
        foreach (uint lie in new uint[] { 0, 1, 0x7FFFFFFF, 0xFFFFFFFF, (uint)file.Length })
        {
            var b = (byte[])file.Clone();
            BitConverter.TryWriteBytes(b.AsSpan(4), lie);                       // RIFF size
            Survives(() => Wav.Decode(b, name), $"{name} RIFF size {lie}");
            int data = file.AsSpan().IndexOf("data"u8);
            b = (byte[])file.Clone();
            BitConverter.TryWriteBytes(b.AsSpan(data + 4), lie);                // data size
            Survives(() => Wav.Decode(b, name), $"{name} data size {lie}");
        }
    }
}
