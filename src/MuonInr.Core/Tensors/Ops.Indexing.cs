using MuonInr.Autograd;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Same data in a new shape with the same element count (a copy: MuonInr has no views). One dimension
    /// may be −1: it is inferred from the others, as in PyTorch.
    /// </summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        int infer = Array.IndexOf(shape, -1);
        if (infer >= 0)
        {
            if (Array.LastIndexOf(shape, -1) != infer) throw new ArgumentException($"Reshape: only one dimension can be −1, got {Tensor.ShapeString(shape)}.");
            long known = 1;
            for (int i = 0; i < shape.Length; i++) if (i != infer) known *= shape[i];
            if (known <= 0 || x.Length % known != 0)
                throw new ArgumentException($"Reshape: cannot view {Tensor.ShapeString(x.Shape)} ({x.Length} elements) as {Tensor.ShapeString(shape)}.");
            shape = (int[])shape.Clone();
            shape[infer] = (int)(x.Length / known);
        }
        var s = Tensor.CheckedShape(shape, out int n);
        if (n != x.Length) throw new ArgumentException($"Reshape: cannot view {Tensor.ShapeString(x.Shape)} ({x.Length} elements) as {Tensor.ShapeString(shape)} ({n} elements).");
        var y = Tensor.Uninitialized(s);
        x.Span.CopyTo(y.Span);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.Reshape) { A = x });
        return y;
    }

    /// <summary>Rows <paramref name="index"/> of x [N, F] → [len(index), F] (indices may repeat).</summary>
    public static Tensor GatherRows(Tensor x, int[] index)
    {
        RequireRank(x, 2, "GatherRows", "input");
        int n = x.Dim(0), f = x.Dim(1);
        CheckIndices(index, n, "GatherRows", x);
        var y = Tensor.Uninitialized(index.Length, f);
        for (int i = 0; i < index.Length; i++) x.Span.Slice(index[i] * f, f).CopyTo(y.Span.Slice(i * f, f));
        if (Tracks(x)) Record(y, new TapeNode(OpKind.GatherRows) { A = x, Extra = index });
        return y;
    }

    /// <summary>A [rows, F] tensor of zeros with src's row i added into row index[i] (repeated indices add up).</summary>
    public static Tensor ScatterAddRows(Tensor src, int[] index, int rows)
    {
        RequireRank(src, 2, "ScatterAddRows", "source");
        if (index.Length != src.Dim(0)) throw new ArgumentException($"ScatterAddRows: {index.Length} indices for a source of shape {Tensor.ShapeString(src.Shape)}.");
        CheckIndices(index, rows, "ScatterAddRows", null);
        int f = src.Dim(1);
        var y = Tensor.Zeros(rows, f);
        for (int i = 0; i < index.Length; i++)
            TensorPrimitives.Add(y.Span.Slice(index[i] * f, f), src.Span.Slice(i * f, f), y.Span.Slice(index[i] * f, f));
        if (Tracks(src)) Record(y, new TapeNode(OpKind.ScatterAddRows) { A = src, Extra = index });
        return y;
    }

    private static void CheckIndices(int[] index, int n, string op, Tensor? x)
    {
        foreach (int i in index)
            if ((uint)i >= (uint)n)
                throw new ArgumentException($"{op}: index {i} is out of range for {n} rows{(x is null ? "" : $" (input shape {Tensor.ShapeString(x.Shape)})")}.");
    }

    /// <summary>Rows [start, start + count) of x [N, F].</summary>
    public static Tensor SliceRows(Tensor x, int start, int count)
    {
        RequireRank(x, 2, "SliceRows", "input");
        if (start < 0 || count < 0 || start + count > x.Dim(0))
            throw new ArgumentException($"SliceRows: rows [{start}, {start + count}) are outside a tensor of shape {Tensor.ShapeString(x.Shape)}.");
        int f = x.Dim(1);
        var y = Tensor.Uninitialized(count, f);
        x.Span.Slice(start * f, count * f).CopyTo(y.Span);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.SliceRows) { A = x, I0 = start, I1 = count });
        return y;
    }

    /// <summary>Columns [start, start + count) of x [N, F].</summary>
    public static Tensor SliceColumns(Tensor x, int start, int count)
    {
        RequireRank(x, 2, "SliceColumns", "input");
        int n = x.Dim(0), f = x.Dim(1);
        if (start < 0 || count < 0 || start + count > f)
            throw new ArgumentException($"SliceColumns: columns [{start}, {start + count}) are outside a tensor of shape {Tensor.ShapeString(x.Shape)}.");
        var y = Tensor.Uninitialized(n, count);
        for (int r = 0; r < n; r++) x.Span.Slice(r * f + start, count).CopyTo(y.Span.Slice(r * count, count));
        if (Tracks(x)) Record(y, new TapeNode(OpKind.SliceColumns) { A = x, I0 = start, I1 = count });
        return y;
    }

    /// <summary>Concatenation along the last axis of matrices with equal row counts: [N, F1], [N, F2], … → [N, ΣF].</summary>
    public static Tensor ConcatColumns(params Tensor[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("ConcatColumns needs at least one tensor.");
        foreach (var p in parts) RequireRank(p, 2, "ConcatColumns", "every input");
        int n = parts[0].Dim(0);
        foreach (var p in parts)
            if (p.Dim(0) != n)
                throw new ArgumentException($"ConcatColumns: row counts differ: {string.Join(", ", parts.Select(t => Tensor.ShapeString(t.Shape)))}.");
        int total = parts.Sum(p => p.Dim(1));
        var y = Tensor.Uninitialized(n, total);
        int offset = 0;
        foreach (var p in parts)
        {
            int f = p.Dim(1);
            for (int r = 0; r < n; r++) p.Span.Slice(r * f, f).CopyTo(y.Span.Slice(r * total + offset, f));
            offset += f;
        }
        if (parts.Any(Tracks)) Record(y, new TapeNode(OpKind.ConcatColumns) { Inputs = parts });
        return y;
    }
}
