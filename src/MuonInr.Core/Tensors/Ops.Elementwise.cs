using MuonInr.Autograd;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>How an operand of a binary op covers the output [rows, cols].</summary>
    internal enum Broadcast { Full, Row, Scalar }

    /// <summary>
    /// Resolves broadcasting: one operand gives the output shape; the other has the same shape, is a row
    /// vector ([cols] or [1, cols]) repeated over the rows, or a single value ([] or [1]).
    /// </summary>
    private static (int[] Shape, int Rows, int Cols, Broadcast A, Broadcast B) BroadcastShapes(Tensor a, Tensor b, string op)
    {
        if (a.Shape.SequenceEqual(b.Shape)) return (a.ShapeArray, a.Rows, a.Columns, Broadcast.Full, Broadcast.Full);
        Broadcast Kind(Tensor small, Tensor big)
        {
            if (small.Length == 1 && (small.Rank <= 1 || small.Shape.ToArray().All(d => d == 1))) return Broadcast.Scalar;
            bool rowVector = (small.Rank == 1 || (small.Rank == 2 && small.Dim(0) == 1)) && big.Rank >= 1 && small.Columns == big.Columns;
            if (rowVector) return Broadcast.Row;
            throw new ArgumentException($"{op}: shapes {Tensor.ShapeString(a.Shape)} and {Tensor.ShapeString(b.Shape)} cannot be broadcast (supported: equal shapes, a row vector [cols] or [1, cols], or a single value).");
        }
        if (b.Length <= a.Length && !(b.Length == a.Length && b.Rank > a.Rank))
            return (a.ShapeArray, a.Rows, a.Columns, Broadcast.Full, Kind(b, a));
        return (b.ShapeArray, b.Rows, b.Columns, Kind(a, b), Broadcast.Full);
    }

    /// <summary>a + b with row-vector or scalar broadcasting of either operand.</summary>
    public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, OpKind.Add, "Add");

    /// <summary>a − b with broadcasting.</summary>
    public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, OpKind.Sub, "Sub");

    /// <summary>a ⊙ b (elementwise) with broadcasting.</summary>
    public static Tensor Mul(Tensor a, Tensor b) => Binary(a, b, OpKind.Mul, "Mul");

    /// <summary>a ⊘ b (elementwise) with broadcasting.</summary>
    public static Tensor Div(Tensor a, Tensor b) => Binary(a, b, OpKind.Div, "Div");

    private static Tensor Binary(Tensor a, Tensor b, OpKind op, string name)
    {
        var (shape, rows, cols, ka, kb) = BroadcastShapes(a, b, name);
        var y = Tensor.Uninitialized(shape);
        var ys = y.Span; var sa = a.Span; var sb = b.Span;
        for (int r = 0; r < rows; r++)
        {
            var yr = ys.Slice(r * cols, cols);
            var ar = ka == Broadcast.Full ? sa.Slice(r * cols, cols) : ka == Broadcast.Row ? sa : default;
            var br = kb == Broadcast.Full ? sb.Slice(r * cols, cols) : kb == Broadcast.Row ? sb : default;
            if (ka == Broadcast.Scalar)
            {
                float s = sa[0];
                switch (op)
                {
                    case OpKind.Add: TensorPrimitives.Add(br, s, yr); break;
                    case OpKind.Sub: TensorPrimitives.Subtract(s, br, yr); break;
                    case OpKind.Mul: TensorPrimitives.Multiply(br, s, yr); break;
                    default: TensorPrimitives.Divide(s, br, yr); break;
                }
            }
            else if (kb == Broadcast.Scalar)
            {
                float s = sb[0];
                switch (op)
                {
                    case OpKind.Add: TensorPrimitives.Add(ar, s, yr); break;
                    case OpKind.Sub: TensorPrimitives.Subtract(ar, s, yr); break;
                    case OpKind.Mul: TensorPrimitives.Multiply(ar, s, yr); break;
                    default: TensorPrimitives.Divide(ar, s, yr); break;
                }
            }
            else
            {
                switch (op)
                {
                    case OpKind.Add: TensorPrimitives.Add(ar, br, yr); break;
                    case OpKind.Sub: TensorPrimitives.Subtract(ar, br, yr); break;
                    case OpKind.Mul: TensorPrimitives.Multiply(ar, br, yr); break;
                    default: TensorPrimitives.Divide(ar, br, yr); break;
                }
            }
        }
        if (Tracks(a) || Tracks(b))
            Record(y, new TapeNode(op) { A = a, B = b, I0 = (int)ka, I1 = (int)kb });
        return y;
    }

    /// <summary>s · x.</summary>
    public static Tensor Scale(Tensor x, float s) => Unary(x, OpKind.Scale, s);

    /// <summary>x + s.</summary>
    public static Tensor AddScalar(Tensor x, float s) => Unary(x, OpKind.AddScalar, s);

    /// <summary>−x.</summary>
    public static Tensor Neg(Tensor x) => Unary(x, OpKind.Neg);

    /// <summary>eˣ.</summary>
    public static Tensor Exp(Tensor x) => Unary(x, OpKind.Exp);

    /// <summary>ln x.</summary>
    public static Tensor Log(Tensor x) => Unary(x, OpKind.Log);

    /// <summary>sin x.</summary>
    public static Tensor Sin(Tensor x) => Unary(x, OpKind.Sin);

    /// <summary>cos x.</summary>
    public static Tensor Cos(Tensor x) => Unary(x, OpKind.Cos);

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor x) => Unary(x, OpKind.Tanh);

    /// <summary>x².</summary>
    public static Tensor Square(Tensor x) => Unary(x, OpKind.Square);

    /// <summary>√x.</summary>
    public static Tensor Sqrt(Tensor x) => Unary(x, OpKind.Sqrt);

    /// <summary>|x| (gradient sign(x), 0 at 0).</summary>
    public static Tensor Abs(Tensor x) => Unary(x, OpKind.Abs);

    private static Tensor Unary(Tensor x, OpKind op, float s = 0f)
    {
        var y = Tensor.Uninitialized(x.Shape);
        var xs = x.Span; var ys = y.Span;
        switch (op)
        {
            case OpKind.Scale: TensorPrimitives.Multiply(xs, s, ys); break;
            case OpKind.AddScalar: TensorPrimitives.Add(xs, s, ys); break;
            case OpKind.Neg: TensorPrimitives.Negate(xs, ys); break;
            case OpKind.Exp: TensorPrimitives.Exp(xs, ys); break;
            case OpKind.Log: TensorPrimitives.Log(xs, ys); break;
            case OpKind.Sin: TensorPrimitives.Sin(xs, ys); break;
            case OpKind.Cos: TensorPrimitives.Cos(xs, ys); break;
            case OpKind.Tanh: TensorPrimitives.Tanh(xs, ys); break;
            case OpKind.Square: TensorPrimitives.Multiply(xs, xs, ys); break;
            case OpKind.Sqrt: TensorPrimitives.Sqrt(xs, ys); break;
            case OpKind.Abs: TensorPrimitives.Abs(xs, ys); break;
            default: throw new NotSupportedException(op.ToString());
        }
        if (Tracks(x)) Record(y, new TapeNode(op) { A = x, S0 = s });
        return y;
    }
}
