using MuonInr.Autograd;
using MuonInr.Kernels;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as in PyTorch) of NHWC activations with zero padding:
    /// x (N, H, W, Cin), weight (Cout, kh, kw, Cin), bias (Cout) or null → y (N, OH, OW, Cout) with
    /// OH = ⌊(H + 2·padding − kh) / stride⌋ + 1 (likewise OW), and an optional fused activation.
    /// </summary>
    /// <remarks>
    /// Computed as im2col then one GEMM: cols (N·OH·OW, kh·kw·Cin) · Wᵀ, where W is the weight read as the
    /// matrix (Cout, kh·kw·Cin) — the same matrix Muon orthogonalizes — so the product's (N·OH·OW, Cout)
    /// layout already is NHWC. The columns are kept for the backward pass: dW = gyᵀ·cols and
    /// dcols = gy·W (two GEMMs), then col2im scatter-adds dcols onto dx; the bias gradient is the column
    /// sums of gy. PyTorch's (Cout, Cin, kh, kw) filters map to this layout by permuting to (0, 2, 3, 1).
    /// </remarks>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0,
        FusedActivation activation = FusedActivation.None)
    {
        RequireRank(x, 4, "Conv2d", "input (N, H, W, Cin)");
        RequireRank(weight, 4, "Conv2d", "weight (Cout, kh, kw, Cin)");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"Conv2d: stride must be at least 1, got {stride}.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"Conv2d: padding must be non-negative, got {padding}.");
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), cin = x.Dim(3);
        int cout = weight.Dim(0), kh = weight.Dim(1), kw = weight.Dim(2);
        if (weight.Dim(3) != cin)
            throw new ArgumentException($"Conv2d: input of shape {Tensor.ShapeString(x.Shape)} has {cin} channels but weight of shape {Tensor.ShapeString(weight.Shape)} (Cout, kh, kw, Cin) expects {weight.Dim(3)}.");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != cout))
            throw new ArgumentException($"Conv2d: bias must have shape [{cout}], got {Tensor.ShapeString(bias.Shape)}.");
        int oh = ConvolutionKernels.OutputSize(h, kh, stride, padding), ow = ConvolutionKernels.OutputSize(w, kw, stride, padding);
        if (kh < 1 || kw < 1 || oh < 1 || ow < 1)
            throw new ArgumentException($"Conv2d: a {kh}x{kw} kernel with padding {padding} does not fit an input of {h}x{w} (input {Tensor.ShapeString(x.Shape)}).");

        int rows = n * oh * ow, k = kh * kw * cin;
        bool track = Tracks(x) || Tracks(weight) || Tracks(bias);
        // cols (rows, k): a scoped tensor the backward rule reads (and releases early); a pooled scratch otherwise.
        Tensor? saved = track ? Tensor.Uninitialized(rows, k) : null;
        float[]? scratch = track ? null : TensorPool.Rent(rows * k);
        try
        {
            var cols = saved is not null ? saved.Span : scratch.AsSpan(0, rows * k);
            ConvolutionKernels.Im2Col(x.Span, n, h, w, cin, kh, kw, stride, padding, oh, ow, cols);
            var y = Tensor.Uninitialized(n, oh, ow, cout);
            Gemm.Sgemm(false, true, rows, cout, k, 1f, cols, k, weight.Span, k, 0f, y.Span, cout);   // y = cols·Wᵀ
            LinearEpilogue.BiasActivation(y.Span, rows, cout, bias is null ? default : bias.Span, activation);
            if (track)
                Record(y, new TapeNode(OpKind.Conv2d) { A = x, B = weight, C = bias, Saved = saved, I0 = stride, I1 = padding, F0 = activation == FusedActivation.Relu });
            return y;
        }
        finally
        {
            if (scratch is not null) TensorPool.Return(scratch);
        }
    }
}
