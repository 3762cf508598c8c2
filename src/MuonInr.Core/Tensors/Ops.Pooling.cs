using MuonInr.Autograd;
using MuonInr.Kernels;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Max pooling of NHWC activations without padding: x (N, H, W, C) → (N, OH, OW, C) with
    /// OH = ⌊(H − size) / stride⌋ + 1; <paramref name="stride"/> defaults to <paramref name="size"/>
    /// (PyTorch's default). The index of each window's maximum is kept, and the backward pass routes the
    /// gradient to it (to the first maximum, in row-major window order, on ties).
    /// </summary>
    public static Tensor MaxPool2d(Tensor x, int size, int? stride = null)
    {
        RequireRank(x, 4, "MaxPool2d", "input (N, H, W, C)");
        int s = stride ?? size;
        if (size < 1 || s < 1) throw new ArgumentOutOfRangeException(nameof(size), $"MaxPool2d: size and stride must be at least 1, got size {size}, stride {s}.");
        int n = x.Dim(0), h = x.Dim(1), w = x.Dim(2), c = x.Dim(3);
        int oh = ConvolutionKernels.OutputSize(h, size, s, 0), ow = ConvolutionKernels.OutputSize(w, size, s, 0);
        if (oh < 1 || ow < 1)
            throw new ArgumentException($"MaxPool2d: a {size}x{size} window does not fit an input of {h}x{w} (input {Tensor.ShapeString(x.Shape)}).");
        var y = Tensor.Uninitialized(n, oh, ow, c);
        // The argmax indices live in a pooled buffer of y's length read as int32 (same size as float32),
        // scoped like any tensor: no per-step array allocation.
        var indices = Tensor.Uninitialized(n, oh, ow, c);
        var argmax = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(indices.Span);
        ConvolutionKernels.MaxPoolForward(x.Span, n, h, w, c, size, s, oh, ow, y.Span, argmax);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.MaxPool2d) { A = x, Saved = indices });
        else indices.Dispose();
        return y;
    }
}
