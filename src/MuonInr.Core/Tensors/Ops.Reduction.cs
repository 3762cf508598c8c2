using MuonInr.Autograd;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>Sum of all elements (accumulated in double) as a scalar.</summary>
    public static Tensor Sum(Tensor x) => Reduce(x, OpKind.Sum);

    /// <summary>Mean of all elements as a scalar.</summary>
    public static Tensor Mean(Tensor x)
    {
        if (x.Length == 0) throw new ArgumentException($"Mean of an empty tensor {Tensor.ShapeString(x.Shape)}.");
        return Reduce(x, OpKind.Mean);
    }

    private static Tensor Reduce(Tensor x, OpKind op)
    {
        double s = 0;
        foreach (float v in x.Span) s += v;
        var y = Tensor.Scalar((float)(op == OpKind.Mean ? s / x.Length : s));
        if (Tracks(x)) Record(y, new TapeNode(op) { A = x });
        return y;
    }

    /// <summary>Sum of a matrix [rows, cols] over <paramref name="axis"/>: 0 → [cols] (column sums), 1 → [rows] (row sums).</summary>
    public static Tensor Sum(Tensor x, int axis) => ReduceAxis(x, axis, mean: false);

    /// <summary>Mean of a matrix over <paramref name="axis"/> (0 → [cols], 1 → [rows]).</summary>
    public static Tensor Mean(Tensor x, int axis) => ReduceAxis(x, axis, mean: true);

    private static Tensor ReduceAxis(Tensor x, int axis, bool mean)
    {
        RequireRank(x, 2, mean ? "Mean" : "Sum", "input");
        if (axis is not (0 or 1)) throw new ArgumentException($"Axis must be 0 or 1 for a matrix of shape {Tensor.ShapeString(x.Shape)}, got {axis}.");
        int rows = x.Dim(0), cols = x.Dim(1);
        var y = Tensor.Zeros(axis == 0 ? cols : rows);
        var xs = x.Span; var ys = y.Span;
        if (axis == 0)
        {
            var acc = new double[cols];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) acc[c] += xs[r * cols + c];
            for (int c = 0; c < cols; c++) ys[c] = (float)(mean ? acc[c] / Math.Max(1, rows) : acc[c]);
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                double s = 0;
                foreach (float v in xs.Slice(r * cols, cols)) s += v;
                ys[r] = (float)(mean ? s / Math.Max(1, cols) : s);
            }
        }
        if (Tracks(x)) Record(y, new TapeNode(mean ? OpKind.MeanAxis : OpKind.SumAxis) { A = x, I0 = axis });
        return y;
    }
}
