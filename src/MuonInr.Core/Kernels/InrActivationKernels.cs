using System.Numerics;
using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// Forward and backward kernels of the INR activations (SIREN sine, Gaussian, FINER, real and complex
/// Gabor wavelets). Each kernel is one fused pass: the argument (ω x, FINER's ω(|x| + 1) x, the Gaussian
/// envelope), the transcendental (<see cref="FastTrig"/>'s sin, cos, sincos, exp) and the products of the
/// derivative are computed in registers per vector, so a kernel reads its operands and writes its result
/// once. Element ranges are split across threads in whole blocks of <see cref="BlockSize"/> floats (rows for
/// the complex Gabor), so the vector/tail split and hence every bit of the result is independent of the
/// thread count.
/// </summary>
/// <remarks>
/// Backward kernels write (<c>accumulate</c> false) or add (true) into the input-gradient span; the
/// transcendental factors the derivatives need (cos, exp) are recomputed from the saved input rather
/// than kept from the forward pass, so training memory stays at one tensor per activation. Products are
/// evaluated in the order (and without the fusing) of the earlier TensorPrimitives passes. Envelopes use
/// <see cref="FastTrig.ExpNormal(float)"/>: values below the smallest normal float are 0, not subnormals
/// (whose products take a microcode assist here and in the next layer's GEMM); the change is below 1.2e-38.
/// </remarks>
public static class InrActivationKernels
{
    /// <summary>Elements per block: the unit in which element ranges are split across threads.</summary>
    public const int BlockSize = 1024;

    // One fused elementwise kernel: element i as one vector of TVec (i .. i + Count) or as a scalar.
    private interface IElementwise
    {
        void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>;
        void Scalar(int i);
    }

    // Runs kernel over [0, length), in whole blocks of BlockSize chunked deterministically across threads.
    private static void ForBlocks<TKernel>(int length, TKernel kernel) where TKernel : struct, IElementwise
    {
        if (length == 0) return;
        int blocks = (length + BlockSize - 1) / BlockSize;
        RowParallel.For(blocks, BlockSize, (_, s, e) => Run(kernel, s * BlockSize, Math.Min(e * BlockSize, length)));
    }

    // Runs kernel over [start, end) in the widest supported vector, then a scalar tail (bit-identical lanes).
    private static void Run<TKernel>(TKernel kernel, int start, int end) where TKernel : struct, IElementwise
    {
        if (Simd512.IsSupported) Run<TKernel, Simd512>(ref kernel, start, end);
        else if (Simd256.IsSupported) Run<TKernel, Simd256>(ref kernel, start, end);
        else if (Simd128.IsSupported) Run<TKernel, Simd128>(ref kernel, start, end);
        else Run<TKernel, NoSimd>(ref kernel, start, end);
    }

    private static void Run<TKernel, TVec>(ref TKernel kernel, int start, int end) where TKernel : struct, IElementwise where TVec : struct, ISimdFloat<TVec>
    {
        int i = start;
        for (; i <= end - TVec.Count; i += TVec.Count) kernel.Vector<TVec>(i);
        for (; i < end; i++) kernel.Scalar(i);
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
            ForBlocks(x.Length, new SineForwardKernel { X = px, Y = py, Omega = omega });
    }

    private unsafe struct SineForwardKernel : IElementwise
    {
        public float* X, Y;
        public float Omega;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
            => TVec.Store(Y + i, TVec.Sin(TVec.Load(X + i) * TVec.Create(Omega)));

        public readonly void Scalar(int i) => Y[i] = FastTrig.Sin(X[i] * Omega);
    }

    /// <summary>gx (+)= gy · ω cos(ω x). x, gy, gx (n).</summary>
    public static unsafe void SineBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gy, Span<float> gx, float omega, bool accumulate)
    {
        CheckLengths(x.Length, gy.Length, "Sine backward");
        CheckLengths(x.Length, gx.Length, "Sine backward");
        fixed (float* px = x) fixed (float* pg = gy) fixed (float* pd = gx)
        {
            if (accumulate) ForBlocks(x.Length, new SineBackwardKernel<AccumulateMode> { X = px, Gy = pg, Gx = pd, Omega = omega });
            else ForBlocks(x.Length, new SineBackwardKernel<OverwriteMode> { X = px, Gy = pg, Gx = pd, Omega = omega });
        }
    }

    private unsafe struct SineBackwardKernel<TMode> : IElementwise where TMode : struct, IWriteMode
    {
        public float* X, Gy, Gx;
        public float Omega;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var o = TVec.Create(Omega);
            var v = TVec.Cos(TVec.Load(X + i) * o) * TVec.Load(Gy + i) * o;
            if (TMode.Accumulate) v += TVec.Load(Gx + i);
            TVec.Store(Gx + i, v);
        }

        public readonly void Scalar(int i)
        {
            float v = FastTrig.Cos(X[i] * Omega) * Gy[i] * Omega;
            Gx[i] = TMode.Accumulate ? v + Gx[i] : v;
        }
    }

    // Backward kernels are instantiated per mode, so the accumulate test folds away.
    private interface IWriteMode { static abstract bool Accumulate { get; } }
    private readonly struct AccumulateMode : IWriteMode { public static bool Accumulate => true; }
    private readonly struct OverwriteMode : IWriteMode { public static bool Accumulate => false; }

    // ---------------- Gaussian: y = exp(−x² / (2a²)) ----------------

    /// <summary>y = exp(−x² / (2a²)). x, y (n).</summary>
    public static unsafe void GaussianForward(ReadOnlySpan<float> x, Span<float> y, float a)
    {
        CheckLengths(x.Length, y.Length, "Gaussian");
        fixed (float* px = x) fixed (float* py = y)
            ForBlocks(x.Length, new GaussianForwardKernel { X = px, Y = py, C = -0.5f / (a * a) });
    }

    private unsafe struct GaussianForwardKernel : IElementwise
    {
        public float* X, Y;
        public float C;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var v = TVec.Load(X + i);
            TVec.Store(Y + i, TVec.ExpNormal(v * v * TVec.Create(C)));
        }

        public readonly void Scalar(int i) => Y[i] = FastTrig.ExpNormal(X[i] * X[i] * C);
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
            if (accumulate) ForBlocks(x.Length, new GaussianBackwardKernel<AccumulateMode> { X = px, Y = py, Gy = pg, Gx = pd, K = k });
            else ForBlocks(x.Length, new GaussianBackwardKernel<OverwriteMode> { X = px, Y = py, Gy = pg, Gx = pd, K = k });
        }
    }

    private unsafe struct GaussianBackwardKernel<TMode> : IElementwise where TMode : struct, IWriteMode
    {
        public float* X, Y, Gy, Gx;
        public float K;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var v = TVec.Load(Gy + i) * TVec.Load(Y + i) * TVec.Load(X + i) * TVec.Create(K);
            if (TMode.Accumulate) v += TVec.Load(Gx + i);
            TVec.Store(Gx + i, v);
        }

        public readonly void Scalar(int i)
        {
            float v = Gy[i] * Y[i] * X[i] * K;
            Gx[i] = TMode.Accumulate ? Gx[i] + v : v;
        }
    }

    // ---------------- FINER: y = sin(ω (|x| + 1) x), no gradient through (|x| + 1) ----------------

    /// <summary>y = sin(ω (|x| + 1) x). x, y (n).</summary>
    public static unsafe void FinerForward(ReadOnlySpan<float> x, Span<float> y, float omega)
    {
        CheckLengths(x.Length, y.Length, "Finer");
        fixed (float* px = x) fixed (float* py = y)
            ForBlocks(x.Length, new FinerForwardKernel { X = px, Y = py, Omega = omega });
    }

    // The scale ω(|x|+1) and argument (ω·scale)·x in PyTorch's evaluation order.
    private unsafe struct FinerForwardKernel : IElementwise
    {
        public float* X, Y;
        public float Omega;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var v = TVec.Load(X + i);
            var scale = TVec.Create(Omega) * (TVec.Abs(v) + TVec.Create(1f));
            TVec.Store(Y + i, TVec.Sin(scale * v));
        }

        public readonly void Scalar(int i)
        {
            float v = X[i];
            Y[i] = FastTrig.Sin(Omega * (MathF.Abs(v) + 1f) * v);
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
            if (accumulate) ForBlocks(x.Length, new FinerBackwardKernel<AccumulateMode> { X = px, Gy = pg, Gx = pd, Omega = omega });
            else ForBlocks(x.Length, new FinerBackwardKernel<OverwriteMode> { X = px, Gy = pg, Gx = pd, Omega = omega });
        }
    }

    private unsafe struct FinerBackwardKernel<TMode> : IElementwise where TMode : struct, IWriteMode
    {
        public float* X, Gy, Gx;
        public float Omega;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var v = TVec.Load(X + i);
            var scale = TVec.Create(Omega) * (TVec.Abs(v) + TVec.Create(1f));
            var d = TVec.Cos(scale * v) * scale * TVec.Load(Gy + i);
            if (TMode.Accumulate) d += TVec.Load(Gx + i);
            TVec.Store(Gx + i, d);
        }

        public readonly void Scalar(int i)
        {
            float v = X[i], scale = Omega * (MathF.Abs(v) + 1f);
            float d = FastTrig.Cos(scale * v) * scale * Gy[i];
            Gx[i] = TMode.Accumulate ? d + Gx[i] : d;
        }
    }

    // ---------------- real Gabor wavelet (wire-real): y = sin(ω x) · exp(−(σ x)²) ----------------

    /// <summary>y = sin(ω x) · exp(−(σ x)²). x, y (n).</summary>
    public static unsafe void RealGaborForward(ReadOnlySpan<float> x, Span<float> y, float omega, float sigma)
    {
        CheckLengths(x.Length, y.Length, "RealGabor");
        fixed (float* px = x) fixed (float* py = y)
            ForBlocks(x.Length, new RealGaborForwardKernel { X = px, Y = py, Omega = omega, Sigma = sigma });
    }

    private unsafe struct RealGaborForwardKernel : IElementwise
    {
        public float* X, Y;
        public float Omega, Sigma;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var v = TVec.Load(X + i);
            var sx = v * TVec.Create(Sigma);
            TVec.Store(Y + i, TVec.Sin(v * TVec.Create(Omega)) * TVec.ExpNormal(-(sx * sx)));
        }

        public readonly void Scalar(int i)
        {
            float v = X[i], sx = v * Sigma;
            Y[i] = FastTrig.Sin(v * Omega) * FastTrig.ExpNormal(-(sx * sx));
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
            if (accumulate)
                ForBlocks(x.Length, new RealGaborBackwardKernel<AccumulateMode> { X = px, Y = py, Gy = pg, Gx = pd, Omega = omega, Sigma = sigma, TwoSigma2 = twoSigma2 });
            else
                ForBlocks(x.Length, new RealGaborBackwardKernel<OverwriteMode> { X = px, Y = py, Gy = pg, Gx = pd, Omega = omega, Sigma = sigma, TwoSigma2 = twoSigma2 });
        }
    }

    private unsafe struct RealGaborBackwardKernel<TMode> : IElementwise where TMode : struct, IWriteMode
    {
        public float* X, Y, Gy, Gx;
        public float Omega, Sigma, TwoSigma2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var v = TVec.Load(X + i);
            var o = TVec.Create(Omega);
            var sx = v * TVec.Create(Sigma);
            var d = TVec.Load(Gy + i) * (o * TVec.Cos(v * o) * TVec.ExpNormal(-(sx * sx)) - TVec.Create(TwoSigma2) * v * TVec.Load(Y + i));
            if (TMode.Accumulate) d += TVec.Load(Gx + i);
            TVec.Store(Gx + i, d);
        }

        public readonly void Scalar(int i)
        {
            float v = X[i], sx = v * Sigma;
            float d = Gy[i] * (Omega * FastTrig.Cos(v * Omega) * FastTrig.ExpNormal(-(sx * sx)) - TwoSigma2 * v * Y[i]);
            Gx[i] = TMode.Accumulate ? Gx[i] + d : d;
        }
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
                for (int r = rs; r < re; r++)
                {
                    float* a = zp + (long)r * zCols, yr = yp + (long)r * 2 * features;
                    if (realInput) Run(new ComplexGaborForwardKernel<RealInput> { A = a, Re = yr, Im = yr + features, Omega = omega, S2 = s2 }, 0, features);
                    else Run(new ComplexGaborForwardKernel<ComplexInput> { A = a, B = a + features, Re = yr, Im = yr + features, Omega = omega, S2 = s2 }, 0, features);
                }
            });
        }
    }

    private interface IInputKind { static abstract bool IsReal { get; } }
    private readonly struct RealInput : IInputKind { public static bool IsReal => true; }
    private readonly struct ComplexInput : IInputKind { public static bool IsReal => false; }

    // Envelope E = exp(−ω b − σ²(a² + b²)) (b = 0 for a real input), phase θ = ω a: Re = cos θ · E, Im = sin θ · E.
    private unsafe struct ComplexGaborForwardKernel<TKind> : IElementwise where TKind : struct, IInputKind
    {
        public float* A, B, Re, Im;
        public float Omega, S2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Vector<TVec>(int i) where TVec : struct, ISimdFloat<TVec>
        {
            var a = TVec.Load(A + i);
            var o = TVec.Create(Omega);
            var s2 = TVec.Create(S2);
            TVec arg;
            if (TKind.IsReal) arg = -(s2 * (a * a));
            else
            {
                var b = TVec.Load(B + i);
                arg = -(o * b) - s2 * (a * a + b * b);
            }
            var e = TVec.ExpNormal(arg);
            TVec.SinCos(a * o, out var sin, out var cos);
            TVec.Store(Re + i, cos * e);
            TVec.Store(Im + i, sin * e);
        }

        public readonly void Scalar(int i)
        {
            float a = A[i];
            float arg = TKind.IsReal ? -(S2 * (a * a)) : -(Omega * B[i]) - S2 * (a * a + B[i] * B[i]);
            float e = FastTrig.ExpNormal(arg);
            var (sin, cos) = FastTrig.SinCos(a * Omega);
            Re[i] = cos * e;
            Im[i] = sin * e;
        }
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
