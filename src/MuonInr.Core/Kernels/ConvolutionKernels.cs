using System.Numerics;
using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// The data-movement halves of a 2-D convolution on NHWC activations, around the GEMMs that do the
/// arithmetic. <see cref="Im2Col"/> lays every receptive field out as one row, so the convolution
/// becomes cols (N·OH·OW, kh·kw·Cin) · Wᵀ with W (Cout, kh·kw·Cin); <see cref="Col2Im"/> is its adjoint
/// (scatter-add of the column gradients back onto the image). A column index is (ky·kw + kx)·Cin + c,
/// matching a weight stored as (Cout, kh, kw, Cin). Zero padding: taps outside the image read 0 and
/// receive no gradient. Both kernels split the batch across <see cref="RowParallel"/> (image n writes
/// only its own rows / its own pixels, so chunks never overlap).
/// </summary>
public static class ConvolutionKernels
{
    /// <summary>Output extent of a convolution or pooling window: ⌊(size + 2·padding − kernel) / stride⌋ + 1.</summary>
    public static int OutputSize(int size, int kernel, int stride, int padding) => (size + 2 * padding - kernel) / stride + 1;

    /// <summary>
    /// cols[(n·OH + oy)·OW + ox, (ky·kw + kx)·c + ch] = x[n, oy·s − p + ky, ox·s − p + kx, ch] (0 outside).
    /// x (n, h, w, c); cols (n·oh·ow, kh·kw·c), fully overwritten.
    /// </summary>
    public static void Im2Col(ReadOnlySpan<float> x, int n, int h, int w, int c, int kh, int kw, int stride, int padding,
        int oh, int ow, Span<float> cols)
    {
        int k = kh * kw * c;
        if (n == 0 || k == 0) return;
        unsafe
        {
            fixed (float* px = x)
            fixed (float* pc = cols)
            {
                float* xp = px, cp = pc;
                RowParallel.For(n, oh * ow * k, (_, s, e) =>
                {
                    for (int img = s; img < e; img++)
                        Im2ColImage(xp + (long)img * h * w * c, cp + (long)img * oh * ow * k, h, w, c, kh, kw, stride, padding, oh, ow);
                });
            }
        }
    }

    // NHWC keeps the kw taps of one kernel row contiguous in x (kw·c floats from x[iy, ix0, 0]), so each
    // kernel row of each window is one block copy, clipped at the left and right borders.
    private static unsafe void Im2ColImage(float* x, float* cols, int h, int w, int c, int kh, int kw, int stride, int padding, int oh, int ow)
    {
        int k = kh * kw * c;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0, ix0 = -padding; ox < ow; ox++, ix0 += stride)
            {
                // Taps kx in [kxBegin, kxEnd) fall inside the image; cols rows are written in order.
                int kxBegin = Math.Max(0, -ix0), kxEnd = Math.Min(kw, w - ix0);
                float* row = cols + (long)(oy * ow + ox) * k;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = oy * stride - padding + ky;
                    float* dst = row + ky * kw * c;
                    int begin = kxBegin * c, end = kxEnd * c, all = kw * c;
                    if ((uint)iy >= (uint)h || begin >= end) begin = end = all;   // the whole kernel row is padding
                    float* src = x + ((long)iy * w + ix0) * c;                      // tap kx = 0 (possibly outside)
                    if (all < 16)
                    {
                        // Few channels (e.g. a grey input layer): a plain loop beats span set-up per block.
                        for (int j = 0; j < all; j++) dst[j] = j >= begin && j < end ? src[j] : 0f;
                        continue;
                    }
                    new Span<float>(dst, begin).Clear();
                    new ReadOnlySpan<float>(src + begin, end - begin).CopyTo(new Span<float>(dst + begin, end - begin));
                    new Span<float>(dst + end, all - end).Clear();
                }
            }
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col"/>: gx[n, iy, ix, ch] (+)= Σ over the taps that read it of
    /// dcols[row, col]. gx (n, h, w, c) is cleared first unless <paramref name="accumulate"/>.
    /// </summary>
    public static void Col2Im(ReadOnlySpan<float> dcols, int n, int h, int w, int c, int kh, int kw, int stride, int padding,
        int oh, int ow, Span<float> gx, bool accumulate)
    {
        if (!accumulate) gx.Clear();
        int k = kh * kw * c;
        if (n == 0 || k == 0) return;
        unsafe
        {
            fixed (float* pc = dcols)
            fixed (float* pg = gx)
            {
                float* cp = pc, gp = pg;
                RowParallel.For(n, oh * ow * k, (_, s, e) =>
                {
                    for (int img = s; img < e; img++)
                        Col2ImImage(cp + (long)img * oh * ow * k, gp + (long)img * h * w * c, h, w, c, kh, kw, stride, padding, oh, ow);
                });
            }
        }
    }

    // The adjoint of Im2ColImage's block copies: one vector add per kernel row of each window.
    private static unsafe void Col2ImImage(float* cols, float* gx, int h, int w, int c, int kh, int kw, int stride, int padding, int oh, int ow)
    {
        int k = kh * kw * c;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0, ix0 = -padding; ox < ow; ox++, ix0 += stride)
            {
                int kxBegin = Math.Max(0, -ix0), kxEnd = Math.Min(kw, w - ix0);
                if (kxBegin >= kxEnd) continue;
                int len = (kxEnd - kxBegin) * c;
                float* row = cols + (long)(oy * ow + ox) * k;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = oy * stride - padding + ky;
                    if ((uint)iy >= (uint)h) continue;
                    float* src = row + (ky * kw + kxBegin) * c;
                    float* dst = gx + ((long)iy * w + ix0 + kxBegin) * c;
                    if (len < 16) { for (int j = 0; j < len; j++) dst[j] += src[j]; continue; }
                    TensorPrimitives.Add(new ReadOnlySpan<float>(dst, len), new ReadOnlySpan<float>(src, len), new Span<float>(dst, len));
                }
            }
    }

    /// <summary>
    /// Max pooling without padding: y[n, oy, ox, ch] = max over the size×size window at (oy·s, ox·s) of
    /// x[n, ·, ·, ch]; <paramref name="argmax"/> receives the flat index into x of the first maximum
    /// (row-major window order), which the backward pass routes the gradient to. NaN propagates (a NaN
    /// in the window wins, as in PyTorch). x (n, h, w, c); y, argmax (n, oh, ow, c).
    /// </summary>
    public static void MaxPoolForward(ReadOnlySpan<float> x, int n, int h, int w, int c, int size, int stride,
        int oh, int ow, Span<float> y, Span<int> argmax)
    {
        if (n == 0 || c == 0) return;
        unsafe
        {
            fixed (float* px = x)
            fixed (float* py = y)
            fixed (int* pa = argmax)
            {
                float* xp = px, yp = py; int* ap = pa;
                RowParallel.For(n, oh * ow * c * size * size, (_, s, e) =>
                {
                    for (int img = s; img < e; img++)
                    {
                        long xBase = (long)img * h * w * c;
                        long yBase = (long)img * oh * ow * c;
                        for (int oy = 0; oy < oh; oy++)
                            for (int ox = 0; ox < ow; ox++)
                                MaxPoolWindow(xp, xBase + ((long)(oy * stride) * w + ox * stride) * c, w, c, size,
                                    yp + yBase + (long)(oy * ow + ox) * c, ap + yBase + (long)(oy * ow + ox) * c);
                    }
                });
            }
        }
    }

    /// <summary>
    /// One output pixel of max pooling: every channel of the size×size window whose top-left tap is at
    /// flat index <paramref name="first"/> of x. Channels run in SIMD blocks (NHWC keeps them contiguous);
    /// a tap replaces the running maximum when it is larger, or NaN over a number.
    /// </summary>
    private static unsafe void MaxPoolWindow(float* x, long first, int w, int c, int size, float* y, int* argmax)
    {
        int width = Vector<float>.Count, ch = 0;
        for (; ch <= c - width; ch += width)
        {
            var max = Unsafe.ReadUnaligned<Vector<float>>(x + first + ch);
            var arg = new Vector<int>((int)(first + ch)) + Lanes;
            for (int ky = 0; ky < size; ky++)
                for (int kx = 0; kx < size; kx++)
                {
                    if (ky == 0 && kx == 0) continue;
                    long at = first + ((long)ky * w + kx) * c + ch;
                    var v = Unsafe.ReadUnaligned<Vector<float>>(x + at);
                    // v > max, or v is NaN while max is not.
                    var take = Vector.GreaterThan(v, max)
                        | Vector.AndNot(Vector.Equals(max, max), Vector.Equals(v, v));
                    max = Vector.ConditionalSelect(take, v, max);
                    arg = Vector.ConditionalSelect(take, new Vector<int>((int)at) + Lanes, arg);
                }
            Unsafe.WriteUnaligned(y + ch, max);
            Unsafe.WriteUnaligned(argmax + ch, arg);
        }
        for (; ch < c; ch++)
        {
            float max = x[first + ch];
            long arg = first + ch;
            for (int ky = 0; ky < size; ky++)
                for (int kx = 0; kx < size; kx++)
                {
                    long at = first + ((long)ky * w + kx) * c + ch;
                    float v = x[at];
                    if (v > max || float.IsNaN(v) && !float.IsNaN(max)) { max = v; arg = at; }
                }
            y[ch] = max;
            argmax[ch] = (int)arg;
        }
    }

    /// <summary>0, 1, 2, … per SIMD lane (offsets of consecutive channels).</summary>
    private static readonly Vector<int> Lanes = CreateLanes();

    private static Vector<int> CreateLanes()
    {
        Span<int> lanes = stackalloc int[Vector<int>.Count];
        for (int i = 0; i < lanes.Length; i++) lanes[i] = i;
        return new Vector<int>(lanes);
    }
}
