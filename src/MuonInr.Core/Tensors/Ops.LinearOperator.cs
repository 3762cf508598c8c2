using MuonInr.Autograd;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// y = A·x for a fixed linear operator, x flattened (any shape with A.InputLength elements) → y of
    /// <paramref name="outputShape"/> (default [A.OutputLength]); the gradient is Aᵀ·dy.
    /// </summary>
    public static Tensor Apply(ILinearOperator op, Tensor x, params int[] outputShape)
    {
        if (x.Length != op.InputLength)
            throw new ArgumentException($"Operator expects {op.InputLength} inputs, got a tensor of shape {Tensor.ShapeString(x.Shape)} ({x.Length} elements).");
        int[] shape = outputShape.Length == 0 ? [op.OutputLength] : outputShape;
        var y = Tensor.Uninitialized(shape);
        if (y.Length != op.OutputLength)
            throw new ArgumentException($"Operator produces {op.OutputLength} values, not shape {Tensor.ShapeString(shape)}.");
        op.Apply(x.Span, y.Span);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.Custom) { A = x, Extra = op });
        return y;
    }
}
