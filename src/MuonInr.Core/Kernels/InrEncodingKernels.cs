using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// Input encodings of coordinate networks: random Fourier features (Tancik et al. 2020) and NeRF's
/// positional encoding (Mildenhall et al. 2020), forward and the derivative with respect to the input
/// coordinates. Both derivatives are computed from the encoding's own output (sin and cos of every
/// argument are already there), so no state is kept between the passes.
/// </summary>
public static class InrEncodingKernels
{
    /// <summary>2π rounded to float once, as PyTorch does with <c>2 * math.pi * x_proj</c>.</summary>
    public const float TwoPi = 2f * MathF.PI;

    /// <summary>Largest band count of the positional encoding: 2^k π |p| must stay finite in float32.</summary>
    public const int MaxBands = 120;

    /// <summary>
    /// y = [cos(2π x·Bᵀ) | sin(2π x·Bᵀ)]: x (rows, in), b (m, in), y (rows, 2m); cos block first, as in
    /// the paper's code.
    /// </summary>
    public static unsafe void FourierFeaturesForward(ReadOnlySpan<float> x, ReadOnlySpan<float> b, Span<float> y, int rows, int inFeatures, int mapping)
    {
        Check(x.Length == rows * inFeatures && b.Length == mapping * inFeatures && y.Length == rows * 2 * mapping, "FourierFeatures: span lengths do not match the shapes.");
        if (rows == 0 || mapping == 0) return;
        float[] bt = Transpose(b, mapping, inFeatures);
        try
        {
            fixed (float* px = x) fixed (float* pb = bt) fixed (float* py = y)
            {
                float* xp = px, btp = pb, yp = py;
                RowParallel.For(rows, 2 * mapping, (_, s, e) =>
                {
                    for (int r = s; r < e; r++)
                    {
                        float* xr = xp + (long)r * inFeatures;
                        var cos = new Span<float>(yp + (long)r * 2 * mapping, mapping);
                        var sin = new Span<float>(yp + (long)r * 2 * mapping + mapping, mapping);
                        // projection x·Bᵀ, one column of B at a time (in is 1..3 for coordinates)
                        if (inFeatures == 0) cos.Clear();
                        for (int i = 0; i < inFeatures; i++)
                        {
                            var col = new ReadOnlySpan<float>(btp + (long)i * mapping, mapping);
                            if (i == 0) TensorPrimitives.Multiply(col, xr[0], cos);
                            else TensorPrimitives.MultiplyAdd(col, xr[i], cos, cos);
                        }
                        TensorPrimitives.Multiply(cos, TwoPi, cos);
                        TensorPrimitives.Sin(cos, sin);
                        TensorPrimitives.Cos(cos, cos);
                    }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(bt); }
    }

    /// <summary>
    /// gx (+)= Σ_j 2π B[j, :] (g_sin,j · cos_j − g_cos,j · sin_j), reading cos and sin from the output y.
    /// x-shaped gx (rows, in); y, gy (rows, 2m); b (m, in).
    /// </summary>
    public static unsafe void FourierFeaturesBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> gy, ReadOnlySpan<float> b, Span<float> gx,
        int rows, int inFeatures, int mapping, bool accumulate)
    {
        Check(gx.Length == rows * inFeatures && b.Length == mapping * inFeatures && y.Length == rows * 2 * mapping && gy.Length == y.Length,
            "FourierFeatures backward: span lengths do not match the shapes.");
        if (rows == 0) return;
        if (mapping == 0) { if (!accumulate) gx.Clear(); return; }
        float[] bt = Transpose(b, mapping, inFeatures);
        try
        {
            fixed (float* py = y) fixed (float* pg = gy) fixed (float* pb = bt) fixed (float* pd = gx)
            {
                float* yp = py, gp = pg, btp = pb, dp = pd;
                RowParallel.For(rows, 2 * mapping, (_, s, e) =>
                {
                    float[] scratch = ArrayPool<float>.Shared.Rent(mapping);
                    try
                    {
                        var t = scratch.AsSpan(0, mapping);
                        for (int r = s; r < e; r++)
                        {
                            float* cos = yp + (long)r * 2 * mapping, sin = cos + mapping;
                            float* gc = gp + (long)r * 2 * mapping, gs = gc + mapping;
                            fixed (float* tp = t) CrossTerm(gs, cos, gc, sin, tp, mapping);
                            float* d = dp + (long)r * inFeatures;
                            for (int i = 0; i < inFeatures; i++)
                            {
                                float v = TwoPi * TensorPrimitives.Dot(new ReadOnlySpan<float>(btp + (long)i * mapping, mapping), t);
                                d[i] = accumulate ? d[i] + v : v;
                            }
                        }
                    }
                    finally { ArrayPool<float>.Shared.Return(scratch); }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(bt); }
    }

    // t = gs·c − gc·s.
    private static unsafe void CrossTerm(float* gs, float* c, float* gc, float* s, float* t, int n)
    {
        int i = 0, w = Vector<float>.Count;
        for (; i <= n - w; i += w)
            Unsafe.WriteUnaligned(t + i, Load(gs + i) * Load(c + i) - Load(gc + i) * Load(s + i));
        for (; i < n; i++) t[i] = gs[i] * c[i] - gc[i] * s[i];
    }

    /// <summary>
    /// NeRF positional encoding γ(p) = [sin(2⁰πp), cos(2⁰πp), …, sin(2^(K−1)πp), cos(2^(K−1)πp)] per input
    /// feature: x (rows, d), y (rows, d·2K) ordered feature-major, then band, then (sin, cos), exactly the
    /// paper's code's <c>stack([sin, cos], -1).flatten()</c>. The raw input is not included. The argument
    /// is (2^k·π)·p in float32 as in PyTorch (2^k π is exact, so it equals 2^k · fl(π p)).
    /// </summary>
    public static unsafe void PositionalEncodingForward(ReadOnlySpan<float> x, Span<float> y, int rows, int features, int bands)
    {
        Check(bands >= 0 && bands <= MaxBands, $"PositionalEncoding: bands must be in 0..{MaxBands}, got {bands}.");
        int width = features * bands;  // arguments per row
        Check(x.Length == rows * features && y.Length == rows * 2 * width, "PositionalEncoding: span lengths do not match the shapes.");
        if (rows == 0 || width == 0) return;
        // 2^k·π is exact in float32, so (2^k·π)·p rounds like PyTorch's (frequencies * math.pi) * p.
        var freq = new float[bands];
        for (int k = 0; k < bands; k++) freq[k] = MathF.ScaleB(MathF.PI, k);
        int rowsPerBlock = Math.Max(1, InrActivationKernels.BlockSize / width);
        int blocks = (rows + rowsPerBlock - 1) / rowsPerBlock;
        fixed (float* px = x) fixed (float* py = y)
        {
            float* xp = px, yp = py;
            RowParallel.For(blocks, rowsPerBlock * 2 * width, (_, s, e) =>
            {
                float[] scratch = ArrayPool<float>.Shared.Rent(3 * rowsPerBlock * width);
                try
                {
                    for (int blk = s; blk < e; blk++)
                    {
                        int r0 = blk * rowsPerBlock, nr = Math.Min(rowsPerBlock, rows - r0), n = nr * width;
                        var arg = scratch.AsSpan(0, n);
                        var sin = scratch.AsSpan(n, n);
                        var cos = scratch.AsSpan(2 * n, n);
                        for (int q = 0; q < nr * features; q++)
                            TensorPrimitives.Multiply(freq, xp[(long)r0 * features + q], arg.Slice(q * bands, bands));
                        TensorPrimitives.Sin(arg, sin);
                        TensorPrimitives.Cos(arg, cos);
                        float* dst = yp + (long)r0 * 2 * width;
                        for (int i = 0; i < n; i++) { dst[2 * i] = sin[i]; dst[2 * i + 1] = cos[i]; }
                    }
                }
                finally { ArrayPool<float>.Shared.Return(scratch); }
            });
        }
    }

    /// <summary>
    /// gx (+)= Σ_k 2^k π (g_sin,k · cos_k − g_cos,k · sin_k) per input feature, reading sin and cos from
    /// the output y. gx (rows, d); y, gy (rows, d·2K).
    /// </summary>
    public static unsafe void PositionalEncodingBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx, int rows, int features, int bands, bool accumulate)
    {
        Check(gx.Length == rows * features && y.Length == rows * 2 * features * bands && gy.Length == y.Length,
            "PositionalEncoding backward: span lengths do not match the shapes.");
        if (rows == 0) return;
        fixed (float* py = y) fixed (float* pg = gy) fixed (float* pd = gx)
        {
            float* yp = py, gp = pg, dp = pd;
            RowParallel.For(rows, 2 * features * bands, (_, s, e) =>
            {
                for (long q = (long)s * features; q < (long)e * features; q++)
                {
                    float* ys = yp + q * 2 * bands, gs = gp + q * 2 * bands;
                    float v = 0f;
                    for (int k = 0; k < bands; k++)
                        v += MathF.ScaleB(MathF.PI, k) * (gs[2 * k] * ys[2 * k + 1] - gs[2 * k + 1] * ys[2 * k]);
                    dp[q] = accumulate ? dp[q] + v : v;
                }
            });
        }
    }

    // Bᵀ (in, m) from B (m, in), in a pooled array the caller returns.
    private static float[] Transpose(ReadOnlySpan<float> b, int mapping, int inFeatures)
    {
        float[] bt = ArrayPool<float>.Shared.Rent(Math.Max(1, mapping * inFeatures));
        for (int j = 0; j < mapping; j++)
            for (int i = 0; i < inFeatures; i++)
                bt[i * mapping + j] = b[j * inFeatures + i];
        return bt;
    }

    private static void Check(bool ok, string message)
    {
        if (!ok) throw new ArgumentException(message);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);
}
