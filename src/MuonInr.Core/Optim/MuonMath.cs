namespace MuonInr.Optim;

/// <summary>
/// Muon's update for one weight W (rows = out, cols = in), exactly as MUON.md / KellerJordan's muon.py:
/// M ← lerp(M, G, 1 − β); U = lerp(G, M, β) (Nesterov) or M; O = orth(U); O ← O·√max(1, rows/cols);
/// W ← W·(1 − lr·wd) − lr·O. Why: the orthogonalized step moves every singular direction of the
/// momentum by the same amount, so no direction (and no rank) is starved the way Adam's updates,
/// confined to the span of low-rank activations, starve them.
/// </summary>
public static class MuonMath
{
    /// <summary>
    /// One Muon step. <paramref name="update"/> is scratch of the parameter's size (it receives U, then
    /// the orthogonalized update) and <paramref name="orthogonal"/> a second scratch buffer.
    /// </summary>
    public static void Step(Span<float> w, ReadOnlySpan<float> g, Span<float> momentum, Span<float> update, Span<float> orthogonal,
        int rows, int cols, double lr, double beta, bool nesterov, double weightDecay, IOrthogonalizer orthogonalizer)
    {
        int n = rows * cols;
        if (w.Length != n || g.Length != n || momentum.Length != n || update.Length != n || orthogonal.Length != n)
            throw new ArgumentException($"Muon buffers must all hold {rows}x{cols} = {n} values (W {w.Length}, G {g.Length}, M {momentum.Length}).");
        float oneMinusBeta = (float)(1 - beta), fb = (float)beta;
        for (int i = 0; i < n; i++)
        {
            float mi = TorchLerp.Lerp(momentum[i], g[i], oneMinusBeta);
            momentum[i] = mi;
            update[i] = nesterov ? TorchLerp.Lerp(g[i], mi, fb) : mi;
        }
        orthogonalizer.Orthogonalize(update, rows, cols, orthogonal);
        float scale = (float)Math.Sqrt(Math.Max(1.0, (double)rows / cols));
        float decay = (float)(1 - lr * weightDecay), step = (float)lr;
        for (int i = 0; i < n; i++)
        {
            float wi = w[i];
            if (weightDecay != 0) wi *= decay;
            w[i] = wi - step * (orthogonal[i] * scale);
        }
    }
}
