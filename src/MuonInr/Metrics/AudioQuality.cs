namespace MuonInr.Metrics;

/// <summary>Audio fidelity metrics (PAPER.md), accumulated in double.</summary>
public static class AudioQuality
{
    /// <summary>SNR in dB = 10·log10(mean t² / mean (t − p)²).</summary>
    public static double Snr(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check(prediction, target);
        double s = 0, e = 0;
        for (int i = 0; i < target.Length; i++) { double t = target[i], d = t - prediction[i]; s += t * t; e += d * d; }
        return 10 * Math.Log10(s / e);
    }

    /// <summary>
    /// Scale-invariant SNR in dB: both signals made zero-mean, target projected as s = (⟨p, t⟩ / ‖t‖²)·t,
    /// noise e = p − s, SI-SNR = 10·log10(‖s‖² / ‖e‖²).
    /// </summary>
    public static double SiSnr(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        Check(prediction, target);
        int n = target.Length;
        double mt = 0, mp = 0;
        for (int i = 0; i < n; i++) { mt += target[i]; mp += prediction[i]; }
        mt /= n; mp /= n;
        double dot = 0, tt = 0;
        for (int i = 0; i < n; i++) { double t = target[i] - mt, p = prediction[i] - mp; dot += p * t; tt += t * t; }
        double alpha = dot / tt, ss = 0, ee = 0;
        for (int i = 0; i < n; i++)
        {
            double t = target[i] - mt, p = prediction[i] - mp;
            double s = alpha * t, e = p - s;
            ss += s * s; ee += e * e;
        }
        return 10 * Math.Log10(ss / ee);
    }

    private static void Check(ReadOnlySpan<float> p, ReadOnlySpan<float> t)
    {
        if (p.Length != t.Length || t.Length == 0)
            throw new ArgumentException($"Audio metrics need two non-empty signals of equal length, got {p.Length} and {t.Length}.");
    }
}
