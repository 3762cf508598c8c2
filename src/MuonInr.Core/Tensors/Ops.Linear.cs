using MuonInr.Autograd;
using MuonInr.Kernels;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Matrix product op(A)·op(B) of rank-2 tensors, op(X) = Xᵀ when the flag is set.
    /// A [m, k] (or [k, m] transposed), B [k, n] (or [n, k] transposed) → [m, n].
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        RequireRank(a, 2, "MatMul", "A");
        RequireRank(b, 2, "MatMul", "B");
        int m = transA ? a.Dim(1) : a.Dim(0), ka = transA ? a.Dim(0) : a.Dim(1);
        int kb = transB ? b.Dim(1) : b.Dim(0), n = transB ? b.Dim(0) : b.Dim(1);
        if (ka != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ: A{(transA ? "ᵀ" : "")} of shape {Tensor.ShapeString(a.Shape)} gives k={ka}, B{(transB ? "ᵀ" : "")} of shape {Tensor.ShapeString(b.Shape)} gives k={kb}.");
        var c = Tensor.Uninitialized(m, n);
        Gemm.Sgemm(transA, transB, m, n, ka, 1f, a.Span, a.Dim(1), b.Span, b.Dim(1), 0f, c.Span, n);
        if (Tracks(a) || Tracks(b))
            Record(c, new TapeNode(OpKind.MatMul) { A = a, B = b, F0 = transA, F1 = transB });
        return c;
    }

    /// <summary>
    /// Fused affine layer y = act(x·Wᵀ + b), PyTorch's Linear layout: x [N, in], weight [out, in],
    /// bias [out] or null → y [N, out]. One GEMM (NT) plus one pass for bias and activation; backward is
    /// one masking pass (which also reduces the bias gradient) and two GEMMs (NN for dx, TN for dW).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null, FusedActivation activation = FusedActivation.None)
    {
        RequireRank(x, 2, "Linear", "input");
        RequireRank(weight, 2, "Linear", "weight");
        int n = x.Dim(0), inF = x.Dim(1), outF = weight.Dim(0);
        if (weight.Dim(1) != inF)
            throw new ArgumentException($"Linear: input of shape {Tensor.ShapeString(x.Shape)} has {inF} features but weight of shape {Tensor.ShapeString(weight.Shape)} expects {weight.Dim(1)}.");
        if (bias is not null && (bias.Rank != 1 || bias.Dim(0) != outF))
            throw new ArgumentException($"Linear: bias must have shape [{outF}], got {Tensor.ShapeString(bias.Shape)}.");
        var y = Tensor.Uninitialized(n, outF);
        Gemm.Sgemm(false, true, n, outF, inF, 1f, x.Span, inF, weight.Span, inF, 0f, y.Span, outF);
        LinearEpilogue.BiasActivation(y.Span, n, outF, bias is null ? default : bias.Span, activation);
        if (Tracks(x) || Tracks(weight) || Tracks(bias))
            Record(y, new TapeNode(OpKind.Linear) { A = x, B = weight, C = bias, I0 = (int)activation });
        return y;
    }

    /// <summary>max(0, x), elementwise.</summary>
    public static Tensor Relu(Tensor x)
    {
        var y = Tensor.Uninitialized(x.Shape);
        System.Numerics.Tensors.TensorPrimitives.Max(x.Span, 0f, y.Span);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.Relu) { A = x });
        return y;
    }

    /// <summary>
    /// Mean squared error mean((p − t)²) as a scalar; the target never receives a gradient. Forward and
    /// backward are one pass: the gradient 2(p − t)/n is written while the loss is summed.
    /// </summary>
    public static Tensor MseLoss(Tensor prediction, Tensor target)
    {
        RequireSameShape(prediction, target, "MseLoss");
        bool track = Tracks(prediction);
        // Scoped: if backward never runs, the scope still returns the buffer; the rule escapes it when handing it on.
        Tensor? grad = track ? Tensor.Uninitialized(prediction.Shape) : null;
        double loss = MseKernel.LossAndGradient(prediction.Span, target.Span, grad is null ? default : grad.Span);
        var result = Tensor.Scalar((float)loss);
        if (track) Record(result, new TapeNode(OpKind.MseLoss) { A = prediction, Saved = grad });
        return result;
    }
}
