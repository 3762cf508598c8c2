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

    private static unsafe void Im2ColImage(float* x, float* cols, int h, int w, int c, int kh, int kw, int stride, int padding, int oh, int ow)
    {
        int k = kh * kw * c;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                float* row = cols + (long)(oy * ow + ox) * k;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = oy * stride - padding + ky;
                    float* dst = row + ky * kw * c;
                    if ((uint)iy >= (uint)h) { new Span<float>(dst, kw * c).Clear(); continue; }
                    for (int kx = 0; kx < kw; kx++)
                    {
                        int ix = ox * stride - padding + kx;
                        float* d = dst + kx * c;
                        if ((uint)ix >= (uint)w) { for (int ch = 0; ch < c; ch++) d[ch] = 0f; continue; }
                        float* src = x + ((long)iy * w + ix) * c;
                        for (int ch = 0; ch < c; ch++) d[ch] = src[ch];
                    }
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

    private static unsafe void Col2ImImage(float* cols, float* gx, int h, int w, int c, int kh, int kw, int stride, int padding, int oh, int ow)
    {
        int k = kh * kw * c;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                float* row = cols + (long)(oy * ow + ox) * k;
                for (int ky = 0; ky < kh; ky++)
                {
                    int iy = oy * stride - padding + ky;
                    if ((uint)iy >= (uint)h) continue;
                    for (int kx = 0; kx < kw; kx++)
                    {
                        int ix = ox * stride - padding + kx;
                        if ((uint)ix >= (uint)w) continue;
                        float* src = row + (ky * kw + kx) * c;
                        float* dst = gx + ((long)iy * w + ix) * c;
                        for (int ch = 0; ch < c; ch++) dst[ch] += src[ch];
                    }
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
                            {
                                float* yo = yp + yBase + (long)(oy * ow + ox) * c;
                                int* ao = ap + yBase + (long)(oy * ow + ox) * c;
                                // Initialise from the window's first tap, then scan the rest.
                                long first = xBase + ((long)(oy * stride) * w + ox * stride) * c;
                                for (int ch = 0; ch < c; ch++) { yo[ch] = xp[first + ch]; ao[ch] = (int)(first + ch); }
                                for (int ky = 0; ky < size; ky++)
                                    for (int kx = 0; kx < size; kx++)
                                    {
                                        if (ky == 0 && kx == 0) continue;
                                        long at = xBase + ((long)(oy * stride + ky) * w + ox * stride + kx) * c;
                                        for (int ch = 0; ch < c; ch++)
                                        {
                                            float v = xp[at + ch];
                                            if (v > yo[ch] || float.IsNaN(v) && !float.IsNaN(yo[ch])) { yo[ch] = v; ao[ch] = (int)(at + ch); }
                                        }
                                    }
                            }
                    }
                });
            }
        }
    }
}
