using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

using MuonInr.Kernels;

namespace MuonInr.Bench;

/// <summary>
/// The INR activation kernels as they were before the FastTrig fusion (commit b1ab084): TensorPrimitives
/// Sin/Cos/Exp in separate passes over L1-sized blocks. Kept here only as the baseline of
/// <see cref="ActivationBenchmarks"/> and <see cref="ActivationRatios"/>.
/// </summary>
public static class TensorPrimitivesActivationKernels
{
    /// <summary>Elements per inner block (16 KiB of float: a few of them stay in L1).</summary>
    public const int BlockSize = 1024;

    private delegate void BlockBody(int start, int count, Span<float> t1, Span<float> t2);

    // Runs body over [0, length) in blocks of BlockSize, chunked deterministically across threads; each
    // chunk gets two scratch blocks on its own stack.
    private static void ForBlocks(int length, BlockBody body)
    {
        if (length == 0) return;
        int blocks = (length + BlockSize - 1) / BlockSize;
        RowParallel.For(blocks, BlockSize, (_, s, e) =>
        {
            Span<float> t1 = stackalloc float[BlockSize];
            Span<float> t2 = stackalloc float[BlockSize];
            for (int b = s; b < e; b++)
            {
                int start = b * BlockSize;
                int count = Math.Min(BlockSize, length - start);
                body(start, count, t1[..count], t2[..count]);
            }
        });
    }

    private static void CheckLengths(int x, int y, string op)
    {
        if (x != y) throw new ArgumentException($"{op}: spans have {x} and {y} elements.");
    }

    // ---------------- SIREN: y = sin(ω x) ----------------

    /// <summary>y = sin(ω x). x, y (n).</summary>
    public static unsafe void SineForward(ReadOnlySpan<float> x, Span<float> y, float omega)
    {
        CheckLengths(x.Length, y.Length, "Sine");
        fixed (float* px = x) fixed (float* py = y)
        {
            float* xp = px, yp = py;
            ForBlocks(x.Length, (s, n, _, _) =>
            {
                var ys = new Span<float>(yp + s, n);
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(xp + s, n), omega, ys);
                TensorPrimitives.Sin(ys, ys);
            });
        }
    }

    /// <summary>gx (+)= gy · ω cos(ω x). x, gy, gx (n).</summary>
    public static unsafe void SineBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gx, float omega, bool accumulate)
    {
        CheckLengths(x.Length, gy.Length, "Sine backward");
        CheckLengths(x.Length, gx.Length, "Sine backward");
        fixed (float* px = x) fixed (float* pg = gy) fixed (float* pd = gx)
        {
            float* xp = px, gp = pg, dp = pd;
            ForBlocks(x.Length, (s, n, t, _) =>
            {
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(xp + s, n), omega, t);
                TensorPrimitives.Cos(t, t);
                TensorPrimitives.Multiply(t, new ReadOnlySpan<float>(gp + s, n), t);
                var d = new Span<float>(dp + s, n);
                if (accumulate) TensorPrimitives.MultiplyAdd(t, omega, d, d);
                else TensorPrimitives.Multiply(t, omega, d);
            });
        }
    }

    // ---------------- Gaussian: y = exp(−x² / (2a²)) ----------------

    /// <summary>y = exp(−x² / (2a²)). x, y (n).</summary>
    public static unsafe void GaussianForward(ReadOnlySpan<float> x, Span<float> y, float a)
    {
        CheckLengths(x.Length, y.Length, "Gaussian");
        float c = -0.5f / (a * a);
        fixed (float* px = x) fixed (float* py = y)
        {
            float* xp = px, yp = py;
            ForBlocks(x.Length, (s, n, _, _) =>
            {
                var xs = new ReadOnlySpan<float>(xp + s, n);
                var ys = new Span<float>(yp + s, n);
                TensorPrimitives.Multiply(xs, xs, ys);
                TensorPrimitives.Multiply(ys, c, ys);
                TensorPrimitives.Exp(ys, ys);
            });
        }
    }

    /// <summary>gx (+)= gy · (−x / a²) · y, from the saved input and output. x, y, gy, gx (n).</summary>
    public static unsafe void GaussianBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx, float a, bool accumulate)
    {
        CheckLengths(x.Length, y.Length, "Gaussian backward");
        CheckLengths(x.Length, gy.Length, "Gaussian backward");
        CheckLengths(x.Length, gx.Length, "Gaussian backward");
        float k = -1f / (a * a);
        fixed (float* px = x) fixed (float* py = y) fixed (float* pg = gy) fixed (float* pd = gx)
        {
            float* xp = px, yp = py, gp = pg, dp = pd;
            ForBlocks(x.Length, (s, n, _, _) =>
            {
                float* xs = xp + s, ys = yp + s, gs = gp + s, ds = dp + s;
                var vk = new Vector<float>(k);
                int i = 0, w = Vector<float>.Count;
                for (; i <= n - w; i += w)
                {
                    var v = Load(gs + i) * Load(ys + i) * Load(xs + i) * vk;
                    if (accumulate) v += Load(ds + i);
                    Unsafe.WriteUnaligned(ds + i, v);
                }
                for (; i < n; i++)
                {
                    float v = gs[i] * ys[i] * xs[i] * k;
                    ds[i] = accumulate ? ds[i] + v : v;
                }
            });
        }
    }

    // ---------------- FINER: y = sin(ω (|x| + 1) x), no gradient through (|x| + 1) ----------------

    /// <summary>y = sin(ω (|x| + 1) x). x, y (n).</summary>
    public static unsafe void FinerForward(ReadOnlySpan<float> x, Span<float> y, float omega)
    {
        CheckLengths(x.Length, y.Length, "Finer");
        fixed (float* px = x) fixed (float* py = y)
        {
            float* xp = px, yp = py;
            ForBlocks(x.Length, (s, n, _, _) =>
            {
                FinerArgument(xp + s, yp + s, n, omega, scaleOnly: false);
                var ys = new Span<float>(yp + s, n);
                TensorPrimitives.Sin(ys, ys);
            });
        }
    }

    /// <summary>
    /// gx (+)= gy · ω (|x| + 1) · cos(ω (|x| + 1) x): the scale |x| + 1 is treated as a constant, as the
    /// FINER reference code does (<c>torch.no_grad()</c> around it). x, gy, gx (n).
    /// </summary>
    public static unsafe void FinerBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gx, float omega, bool accumulate)
    {
        CheckLengths(x.Length, gy.Length, "Finer backward");
        CheckLengths(x.Length, gx.Length, "Finer backward");
        fixed (float* px = x) fixed (float* pg = gy) fixed (float* pd = gx)
        {
            float* xp = px, gp = pg, dp = pd;
            ForBlocks(x.Length, (s, n, t1, t2) =>
            {
                fixed (float* a = t1) fixed (float* b = t2)
                {
                    FinerArgument(xp + s, a, n, omega, scaleOnly: false);   // t1 = ω(|x|+1)·x
                    FinerArgument(xp + s, b, n, omega, scaleOnly: true);    // t2 = ω(|x|+1)
                }
                TensorPrimitives.Cos(t1, t1);
                TensorPrimitives.Multiply(t1, t2, t1);
                var d = new Span<float>(dp + s, n);
                if (accumulate) TensorPrimitives.MultiplyAdd(t1, new ReadOnlySpan<float>(gp + s, n), d, d);
                else TensorPrimitives.Multiply(t1, new ReadOnlySpan<float>(gp + s, n), d);
            });
        }
    }

    // dst = ω(|x|+1)·x (or ω(|x|+1) when scaleOnly), in PyTorch's evaluation order (ω·scale)·x.
    private static unsafe void FinerArgument(float* x, float* dst, int n, float omega, bool scaleOnly)
    {
        var vo = new Vector<float>(omega);
        int i = 0, w = Vector<float>.Count;
        for (; i <= n - w; i += w)
        {
            var v = Load(x + i);
            var sc = vo * (Vector.Abs(v) + Vector<float>.One);
            Unsafe.WriteUnaligned(dst + i, scaleOnly ? sc : sc * v);
        }
        for (; i < n; i++)
        {
            float sc = omega * (MathF.Abs(x[i]) + 1f);
            dst[i] = scaleOnly ? sc : sc * x[i];
        }
    }

    // ---------------- real Gabor wavelet (wire-real): y = sin(ω x) · exp(−(σ x)²) ----------------

    /// <summary>y = sin(ω x) · exp(−(σ x)²). x, y (n).</summary>
    public static unsafe void RealGaborForward(ReadOnlySpan<float> x, Span<float> y, float omega, float sigma)
    {
        CheckLengths(x.Length, y.Length, "RealGabor");
        fixed (float* px = x) fixed (float* py = y)
        {
            float* xp = px, yp = py;
            ForBlocks(x.Length, (s, n, t, _) =>
            {
                var xs = new ReadOnlySpan<float>(xp + s, n);
                var ys = new Span<float>(yp + s, n);
                TensorPrimitives.Multiply(xs, omega, ys);
                TensorPrimitives.Sin(ys, ys);
                GaussianEnvelopeArgument(xs, t, sigma);
                TensorPrimitives.Exp(t, t);
                TensorPrimitives.Multiply(ys, t, ys);
            });
        }
    }

    /// <summary>
    /// gx (+)= gy · (ω cos(ω x) · exp(−(σ x)²) − 2σ² x · y), with cos and exp recomputed from x.
    /// x, y, gy, gx (n).
    /// </summary>
    public static unsafe void RealGaborBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx,
        float omega, float sigma, bool accumulate)
    {
        CheckLengths(x.Length, y.Length, "RealGabor backward");
        CheckLengths(x.Length, gy.Length, "RealGabor backward");
        CheckLengths(x.Length, gx.Length, "RealGabor backward");
        float twoSigma2 = 2f * sigma * sigma;
        fixed (float* px = x) fixed (float* py = y) fixed (float* pg = gy) fixed (float* pd = gx)
        {
            float* xp = px, yp = py, gp = pg, dp = pd;
            ForBlocks(x.Length, (s, n, t1, t2) =>
            {
                var xs = new ReadOnlySpan<float>(xp + s, n);
                TensorPrimitives.Multiply(xs, omega, t1);
                TensorPrimitives.Cos(t1, t1);
                GaussianEnvelopeArgument(xs, t2, sigma);
                TensorPrimitives.Exp(t2, t2);
                fixed (float* c = t1) fixed (float* e = t2)
                {
                    float* xq = xp + s, yq = yp + s, gq = gp + s, dq = dp + s;
                    var vo = new Vector<float>(omega);
                    var vs = new Vector<float>(twoSigma2);
                    int i = 0, w = Vector<float>.Count;
                    for (; i <= n - w; i += w)
                    {
                        var v = Load(gq + i) * (vo * Load(c + i) * Load(e + i) - vs * Load(xq + i) * Load(yq + i));
                        if (accumulate) v += Load(dq + i);
                        Unsafe.WriteUnaligned(dq + i, v);
                    }
                    for (; i < n; i++)
                    {
                        float v = gq[i] * (omega * c[i] * e[i] - twoSigma2 * xq[i] * yq[i]);
                        dq[i] = accumulate ? dq[i] + v : v;
                    }
                }
            });
        }
    }

    // dst = −(σ x)².
    private static void GaussianEnvelopeArgument(ReadOnlySpan<float> x, Span<float> dst, float sigma)
    {
        TensorPrimitives.Multiply(x, sigma, dst);
        TensorPrimitives.Multiply(dst, dst, dst);
        TensorPrimitives.Negate(dst, dst);
    }

    // ---------------- complex Gabor wavelet (WIRE): y = exp(iω z − |σ z|²) ----------------

    /// <summary>
    /// WIRE's complex Gabor wavelet on complex z = a + ib stored as real and imaginary blocks per row:
    /// z (rows, 2f) = [a | b], or z (rows, f) = a when <paramref name="realInput"/> (b = 0); y (rows, 2f)
    /// = [Re | Im] with y = exp(−ω b − σ²(a² + b²)) · (cos ω a + i sin ω a).
    /// </summary>
    public static unsafe void ComplexGaborForward(ReadOnlySpan<float> z, Span<float> y, int rows, int features,
        float omega, float sigma, bool realInput)
    {
        int zCols = realInput ? features : 2 * features;
        CheckLengths(z.Length, rows * zCols, "ComplexGabor input");
        CheckLengths(y.Length, rows * 2 * features, "ComplexGabor output");
        if (rows == 0 || features == 0) return;
        float s2 = sigma * sigma;
        fixed (float* pz = z) fixed (float* py = y)
        {
            float* zp = pz, yp = py;
            RowParallel.For(rows, 2 * features, (_, rs, re) =>
            {
                Span<float> t = stackalloc float[BlockSize];
                for (int r = rs; r < re; r++)
                {
                    float* a = zp + (long)r * zCols, b = realInput ? null : a + features;
                    float* yr = yp + (long)r * 2 * features, yi = yr + features;
                    for (int j = 0; j < features; j += BlockSize)
                    {
                        int n = Math.Min(BlockSize, features - j);
                        var tn = t[..n];
                        // envelope E = exp(−ω b − σ²(a² + b²)) into t
                        fixed (float* tp = tn) EnvelopeArgument(a + j, b is null ? null : b + j, tp, n, omega, s2);
                        TensorPrimitives.Exp(tn, tn);
                        // phase θ = ω a: Re = E cos θ, Im = E sin θ
                        var aj = new ReadOnlySpan<float>(a + j, n);
                        var re_ = new Span<float>(yr + j, n);
                        var im_ = new Span<float>(yi + j, n);
                        TensorPrimitives.Multiply(aj, omega, re_);
                        TensorPrimitives.Sin(re_, im_);
                        TensorPrimitives.Cos(re_, re_);
                        TensorPrimitives.Multiply(re_, tn, re_);
                        TensorPrimitives.Multiply(im_, tn, im_);
                    }
                }
            });
        }
    }

    // dst = −ω b − σ²(a² + b²); b null means b = 0.
    private static unsafe void EnvelopeArgument(float* a, float* b, float* dst, int n, float omega, float s2)
    {
        var vo = new Vector<float>(omega);
        var vs = new Vector<float>(s2);
        int i = 0, w = Vector<float>.Count;
        if (b is null)
        {
            for (; i <= n - w; i += w) { var va = Load(a + i); Unsafe.WriteUnaligned(dst + i, -(vs * (va * va))); }
            for (; i < n; i++) dst[i] = -(s2 * (a[i] * a[i]));
            return;
        }
        for (; i <= n - w; i += w)
        {
            var va = Load(a + i); var vb = Load(b + i);
            Unsafe.WriteUnaligned(dst + i, -(vo * vb) - vs * (va * va + vb * vb));
        }
        for (; i < n; i++) dst[i] = -(omega * b[i]) - s2 * (a[i] * a[i] + b[i] * b[i]);
    }

    /// <summary>
    /// Backward of <see cref="ComplexGaborForward"/> over real/imaginary pairs, from the saved input z,
    /// output y and upstream gradient gy (rows, 2f). With S = g_re·y_re + g_im·y_im:
    /// g_a = −2σ² a S + ω (g_im y_re − g_re y_im) and g_b = −(ω + 2σ² b) S.
    /// gz has z's layout (rows, f) for a real input (only g_a) or (rows, 2f) = [g_a | g_b].
    /// </summary>
    public static unsafe void ComplexGaborBackward(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gz,
        int rows, int features, float omega, float sigma, bool realInput, bool accumulate)
    {
        int zCols = realInput ? features : 2 * features;
        CheckLengths(z.Length, rows * zCols, "ComplexGabor backward input");
        CheckLengths(gz.Length, rows * zCols, "ComplexGabor backward input gradient");
        CheckLengths(y.Length, rows * 2 * features, "ComplexGabor backward output");
        CheckLengths(gy.Length, rows * 2 * features, "ComplexGabor backward output gradient");
        if (rows == 0 || features == 0) return;
        float twoS2 = 2f * sigma * sigma;
        fixed (float* pz = z) fixed (float* py = y) fixed (float* pg = gy) fixed (float* pd = gz)
        {
            float* zp = pz, yp = py, gp = pg, dp = pd;
            RowParallel.For(rows, 2 * features, (_, rs, re) =>
            {
                var vo = new Vector<float>(omega);
                var vs = new Vector<float>(twoS2);
                int w = Vector<float>.Count;
                for (int r = rs; r < re; r++)
                {
                    float* a = zp + (long)r * zCols, b = realInput ? null : a + features;
                    float* da = dp + (long)r * zCols, db = realInput ? null : da + features;
                    float* yr = yp + (long)r * 2 * features, yi = yr + features;
                    float* gr = gp + (long)r * 2 * features, gi = gr + features;
                    int j = 0;
                    for (; j <= features - w; j += w)
                    {
                        var vyr = Load(yr + j); var vyi = Load(yi + j);
                        var vgr = Load(gr + j); var vgi = Load(gi + j);
                        var sum = vgr * vyr + vgi * vyi;
                        var ga = vo * (vgi * vyr - vgr * vyi) - vs * Load(a + j) * sum;
                        if (accumulate) ga += Load(da + j);
                        Unsafe.WriteUnaligned(da + j, ga);
                        if (b is not null)
                        {
                            var gb = -(vo + vs * Load(b + j)) * sum;
                            if (accumulate) gb += Load(db + j);
                            Unsafe.WriteUnaligned(db + j, gb);
                        }
                    }
                    for (; j < features; j++)
                    {
                        float sum = gr[j] * yr[j] + gi[j] * yi[j];
                        float ga = omega * (gi[j] * yr[j] - gr[j] * yi[j]) - twoS2 * a[j] * sum;
                        da[j] = accumulate ? da[j] + ga : ga;
                        if (b is not null)
                        {
                            float gb = -(omega + twoS2 * b[j]) * sum;
                            db[j] = accumulate ? db[j] + gb : gb;
                        }
                    }
                }
            });
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<float> Load(float* p) => Unsafe.ReadUnaligned<Vector<float>>(p);
}
