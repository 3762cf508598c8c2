namespace MuonInr.Optim;

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): p ← p·(1 − lr·λ);
/// c = β1·m + (1 − β1)·g; p ← p − lr·sign(c); m ← β2·m + (1 − β2)·g. A sign-based, non-orthogonalizing
/// baseline (the paper's Appendix D.1).
/// </summary>
public static class LionMath
{
    /// <summary>One fused pass over the parameter.</summary>
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, double lr, double beta1, double beta2, double weightDecay)
    {
        if (g.Length != p.Length || m.Length != p.Length)
            throw new ArgumentException($"Lion buffers differ in length: param {p.Length}, grad {g.Length}, m {m.Length}.");
        float b1 = (float)beta1, ob1 = (float)(1 - beta1), b2 = (float)beta2, ob2 = (float)(1 - beta2);
        float flr = (float)lr, decay = (float)(1 - lr * weightDecay);
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i], mi = m[i];
            float c = b1 * mi + ob1 * gi;
            float pi = p[i];
            if (weightDecay != 0) pi *= decay;
            p[i] = pi - flr * Sign(c);
            m[i] = b2 * mi + ob2 * gi;
        }
    }

    // torch.sign: −1, 0 or +1, and NaN for NaN (MathF.Sign throws on NaN; a NaN gradient must show up as a
    // NaN parameter and be caught by the non-finite-loss stop, not crash the optimizer).
    private static float Sign(float v) => v > 0 ? 1f : v < 0 ? -1f : v == 0 ? 0f : float.NaN;
}
