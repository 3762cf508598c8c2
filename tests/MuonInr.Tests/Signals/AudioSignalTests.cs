using MuonInr.IO;
using MuonInr.Signals;

namespace MuonInr.Tests.Signals;

public class AudioSignalTests
{
    [Fact]
    public void A_segment_keeps_the_coordinates_of_the_whole_clip()
    {
        var samples = Enumerable.Range(0, 101).Select(i => (i - 50) / 40f).ToArray(); // some beyond ±1
        var wav = new WavAudio(samples, 1, 100, WavSampleFormat.Float32);
        var whole = AudioSignal.FromWav(wav, 0, null, 100);
        var part = AudioSignal.FromWav(wav, 0.3, 0.2, 100);
        Assert.Equal(101, whole.Frames);
        Assert.Equal(20, part.Frames);
        Assert.Equal(-100f, whole.Time(0));
        Assert.Equal(100f, whole.Time(100));
        for (int i = 0; i < part.Frames; i++)
        {
            Assert.Equal(whole.Time(30 + i), part.Time(i), 5);
            Assert.Equal(Math.Clamp(samples[30 + i], -1f, 1f), part.Samples[i]); // clamped like the paper's loader
        }
        using var coords = part.Coordinates();
        Assert.Equal([20, 1], coords.ShapeArray);
        Assert.Equal(part.Time(7), coords.Span[7]);
        Assert.Throws<ArgumentException>(() => AudioSignal.FromWav(wav, 2.0, null, 100));
        Assert.Throws<ArgumentException>(() => AudioSignal.FromWav(wav, 0, 0, 100));
    }

    [Fact]
    public void Spectrogram_peaks_at_the_tone_frequency()
    {
        int sr = 8000;
        var x = Enumerable.Range(0, sr).Select(i => (float)Math.Sin(2 * Math.PI * 1000 * i / sr)).ToArray();
        var s = Spectrogram.Compute(x, sr, 256, 128);
        Assert.Equal(129, s.Bins);
        Assert.Equal(1 + sr / 128, s.Frames);
        int frame = s.Frames / 2, best = 0;
        for (int b = 1; b < s.Bins; b++) if (s.Decibels[b * s.Frames + frame] > s.Decibels[best * s.Frames + frame]) best = b;
        Assert.Equal(32, best); // 1000 Hz / (8000 / 256) Hz per bin
        // Hann window: |X| at the peak = N/4 for a unit sine → 20·log10(64) dB.
        Assert.Equal(20 * Math.Log10(64), s.Decibels[best * s.Frames + frame], 1);
    }
}
