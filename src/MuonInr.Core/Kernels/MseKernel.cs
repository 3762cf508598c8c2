using System.Numerics;
using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// Mean squared error and its gradient in one pass: loss = mean((p − t)²) accumulated in double per
/// fixed chunk, and grad = 2 (p − t) / n written alongside, so the backward pass costs nothing extra.
/// </summary>
public static class MseKernel
{
    /// <summary>Returns mean((p − t)²); writes 2 (p − t)/n into <paramref name="grad"/> when it is not empty.</summary>
    public static double LossAndGradient(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> grad)
    {
        int n = prediction.Length;
        if (target.Length != n) throw new ArgumentException($"MSE needs equal lengths, got prediction {n} and target {target.Length}.");
        if (grad.Length != 0 && grad.Length != n) throw new ArgumentException($"MSE gradient buffer has {grad.Length} elements, expected {n}.");
        if (n == 0) return double.NaN;
        // Treat the flat buffer as rows of 1024 for chunking.
        const int cols = 1024;
        int rows = (n + cols - 1) / cols;
        int chunks = RowParallel.ChunkCount(rows, cols);
        Span<double> partial = stackalloc double[chunks];
        float scale = 2f / n;
        unsafe
        {
            fixed (float* pp = prediction)
            fixed (float* pt = target)
            fixed (float* pg = grad)
            fixed (double* parts = partial)
            {
                float* p = pp, t = pt, g = grad.Length == 0 ? null : pg; double* part = parts;
                RowParallel.ForChunks(rows, chunks, (c, s, e) =>
                {
                    int start = s * cols, end = Math.Min(n, e * cols);
                    part[c] = Chunk(p + start, t + start, g is null ? null : g + start, end - start, scale);
                });
            }
        }
        double sum = 0;
        foreach (double v in partial) sum += v;
        return sum / n;
    }

    private static unsafe double Chunk(float* p, float* t, float* g, int n, float scale)
    {
        int i = 0, w = Vector<float>.Count;
        double total = 0;
        var vscale = new Vector<float>(scale);
        // Float accumulation over short blocks, flushed into double, keeps both speed and accuracy.
        while (i <= n - w)
        {
            var acc = Vector<float>.Zero;
            int blockEnd = Math.Min(n - w, i + 64 * w);
            for (; i <= blockEnd; i += w)
            {
                var d = Unsafe.ReadUnaligned<Vector<float>>(p + i) - Unsafe.ReadUnaligned<Vector<float>>(t + i);
                acc += d * d;
                if (g is not null) Unsafe.WriteUnaligned(g + i, d * vscale);
            }
            total += Vector.Sum(acc);
        }
        for (; i < n; i++)
        {
            float d = p[i] - t[i];
            total += (double)d * d;
            if (g is not null) g[i] = d * scale;
        }
        return total;
    }
}
