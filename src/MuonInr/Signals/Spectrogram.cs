using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace MuonInr.Signals;

/// <summary>
/// Short-time Fourier transform magnitudes in decibels (periodic Hann window, frames centred with zero
/// padding as torch.stft(center=True, pad_mode='constant')), computed with MathNet's FFT. Rows are
/// frequency bins 0 … nFft/2, columns are frames.
/// </summary>
public sealed class Spectrogram
{
    private Spectrogram(float[] db, int bins, int frames, int sampleRate, int hop)
    {
        Decibels = db; Bins = bins; Frames = frames; SampleRate = sampleRate; Hop = hop;
    }

    /// <summary>10·log10(|X|² + 1e-10) per bin and frame, [bins, frames] row-major.</summary>
    public float[] Decibels { get; }
    /// <summary>Frequency bins (nFft/2 + 1).</summary>
    public int Bins { get; }
    /// <summary>Frames.</summary>
    public int Frames { get; }
    /// <summary>Sample rate of the signal.</summary>
    public int SampleRate { get; }
    /// <summary>Hop between frames in samples.</summary>
    public int Hop { get; }

    /// <summary>Computes the spectrogram of a mono signal.</summary>
    public static Spectrogram Compute(ReadOnlySpan<float> signal, int sampleRate, int nFft = 1024, int hop = 512)
    {
        if (nFft < 2 || (nFft & (nFft - 1)) != 0) throw new ArgumentException($"FFT size must be a power of two ≥ 2, got {nFft}.");
        if (hop <= 0) throw new ArgumentException($"Hop must be positive, got {hop}.");
        int n = signal.Length, frames = 1 + n / hop, bins = nFft / 2 + 1;
        var window = new double[nFft];
        for (int i = 0; i < nFft; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / nFft);
        var db = new float[bins * frames];
        var buf = new Complex[nFft];
        for (int f = 0; f < frames; f++)
        {
            int start = f * hop - nFft / 2;
            for (int i = 0; i < nFft; i++)
            {
                int j = start + i;
                buf[i] = j >= 0 && j < n ? signal[j] * window[i] : 0;
            }
            Fourier.Forward(buf, FourierOptions.NoScaling);
            for (int b = 0; b < bins; b++) db[b * frames + f] = (float)(10 * Math.Log10(buf[b].Real * buf[b].Real + buf[b].Imaginary * buf[b].Imaginary + 1e-10));
        }
        return new Spectrogram(db, bins, frames, sampleRate, hop);
    }
}
