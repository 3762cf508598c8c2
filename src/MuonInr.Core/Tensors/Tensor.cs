using System.Runtime.CompilerServices;
using System.Text;
using MuonInr.Autograd;

namespace MuonInr.Tensors;

/// <summary>
/// A float32 tensor: a shape and contiguous row-major storage rented from <see cref="TensorPool"/>.
/// There are no strided views: every op writes a fresh contiguous result (or writes in place where it
/// says so). Activations are batch-major [N, features]; Linear weights are [out, in] as in PyTorch.
/// </summary>
/// <remarks>
/// Disposing a tensor (or the <see cref="TensorScope"/> that owns it) returns its buffer to the pool.
/// Tensors take part in autograd when <see cref="RequiresGrad"/> is set on a leaf or when any input of
/// the op that produced them requires a gradient.
/// </remarks>
public partial class Tensor : IDisposable
{
    private float[]? _buffer;
    private readonly int[] _shape;

    /// <summary>Wraps an already rented buffer; registers with the current scope when <paramref name="scoped"/>.</summary>
    internal Tensor(float[] buffer, int[] shape, bool scoped = true)
    {
        _buffer = buffer;
        _shape = shape;
        Length = buffer.Length;
        if (scoped) TensorScope.Current?.Register(this);
    }

    /// <summary>Takes over the storage of <paramref name="source"/> (which becomes disposed); used by <c>Parameter</c>.</summary>
    protected Tensor(Tensor source)
    {
        if (source._buffer is null) throw new ObjectDisposedException(nameof(Tensor), "Cannot adopt a disposed tensor.");
        _buffer = source._buffer;
        _shape = source._shape;
        Length = source.Length;
        source._buffer = null;
        source.Scope = null;
    }

    /// <summary>The dimensions, outermost first. Do not modify.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The shape as a fresh array (for messages and serialisation).</summary>
    public int[] ShapeArray => (int[])_shape.Clone();

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Length { get; }

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>Rows of a matrix view: the product of all but the last dimension (1 for a scalar).</summary>
    public int Rows => _shape.Length == 0 ? 1 : Length == 0 ? ProductExceptLast() : Length / _shape[^1];

    /// <summary>Columns of a matrix view: the last dimension (1 for a scalar).</summary>
    public int Columns => _shape.Length == 0 ? 1 : _shape[^1];

    /// <summary>Contiguous row-major storage.</summary>
    public Span<float> Span => Buffer.AsSpan(0, Length);

    /// <summary>The pooled array behind this tensor (exactly <see cref="Length"/> elements).</summary>
    internal float[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Tensor), $"Tensor {ShapeString(_shape)} was used after it was disposed (its scope ended or Dispose was called).");

    /// <summary>Raw pointer to the (pinned) storage.</summary>
    internal unsafe float* Pointer => TensorPool.Pointer(Buffer);

    /// <summary>True once the buffer went back to the pool.</summary>
    public bool IsDisposed => _buffer is null;

    /// <summary>Optional name (parameters are named by their module path).</summary>
    public string? Name { get; set; }

    /// <summary>Whether gradients are accumulated into <see cref="Grad"/> for this tensor.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient, same shape; null until a backward pass reaches this tensor.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded op that produced this tensor (null for leaves and outside autograd).</summary>
    internal TapeNode? Node { get; set; }

    /// <summary>True for tensors not produced by a recorded op.</summary>
    public bool IsLeaf => Node is null;

    internal TensorScope? Scope { get; set; }

    /// <summary>Element at a flat row-major index (slow path; for tests and small tensors).</summary>
    [IndexerName("At")]
    public float this[int index]
    {
        get => Span[index];
        set => Span[index] = value;
    }

    /// <summary>Element [row, col] of a matrix view (slow path).</summary>
    [IndexerName("At")]
    public float this[int row, int col]
    {
        get => Span[row * Columns + col];
        set => Span[row * Columns + col] = value;
    }

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, got shape {ShapeString(_shape)}.");
        return Buffer[0];
    }

    /// <summary>Copies the data to a new array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Removes this tensor from its scope so it survives the scope's end; returns it.</summary>
    public Tensor Escape()
    {
        Scope = null;
        return this;
    }

    /// <summary>Returns the buffer to the pool (and the gradient's, for non-leaf tensors). Idempotent.</summary>
    public virtual void Dispose()
    {
        var b = _buffer;
        if (b is null) return;
        _buffer = null;
        Scope = null;
        Node = null;
        TensorPool.Return(b);
        if (Grad is { } g && !ReferenceEquals(g, this)) { g.Dispose(); Grad = null; }
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("Tensor").Append(ShapeString(_shape));
        if (Name is not null) sb.Append(" '").Append(Name).Append('\'');
        if (_buffer is null) return sb.Append(" (disposed)").ToString();
        sb.Append(" [");
        int n = Math.Min(Length, 8);
        for (int i = 0; i < n; i++) sb.Append(i > 0 ? ", " : "").Append(_buffer[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        if (Length > n) sb.Append(", …");
        return sb.Append(']').ToString();
    }

    /// <summary>Formats a shape like PyTorch: [2, 3].</summary>
    public static string ShapeString(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++) sb.Append(i > 0 ? ", " : "").Append(shape[i]);
        return sb.Append(']').ToString();
    }

    private int ProductExceptLast()
    {
        int p = 1;
        for (int i = 0; i < _shape.Length - 1; i++) p *= _shape[i];
        return p;
    }

    // ---- creation ----

    internal static int[] CheckedShape(ReadOnlySpan<int> shape, out int length)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Tensor shape {ShapeString(shape)} has a negative dimension.");
            n *= d;
            if (n > Array.MaxLength) throw new ArgumentException($"Tensor shape {ShapeString(shape)} has more than {Array.MaxLength} elements.");
        }
        length = (int)n;
        return shape.ToArray();
    }

    /// <summary>A tensor with uninitialised contents (for ops that overwrite every element).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Uninitialized(params ReadOnlySpan<int> shape)
    {
        var s = CheckedShape(shape, out int n);
        return new Tensor(TensorPool.Rent(n), s);
    }

    /// <summary>An uninitialised tensor owned by no scope (gradients, optimizer state).</summary>
    internal static Tensor Unscoped(params ReadOnlySpan<int> shape)
    {
        var s = CheckedShape(shape, out int n);
        return new Tensor(TensorPool.Rent(n), s, scoped: false);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> shape)
    {
        var s = CheckedShape(shape, out int n);
        return new Tensor(TensorPool.Rent(n, clear: true), s);
    }

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params ReadOnlySpan<int> shape)
    {
        var t = Uninitialized(shape);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor FromData(ReadOnlySpan<float> data, params ReadOnlySpan<int> shape)
    {
        var s = CheckedShape(shape, out int n);
        if (data.Length != n)
            throw new ArgumentException($"FromData got {data.Length} values for shape {ShapeString(shape)}, which needs {n}.");
        var t = new Tensor(TensorPool.Rent(n), s);
        data.CopyTo(t.Span);
        return t;
    }

    /// <summary>A scalar (rank 0) tensor.</summary>
    public static Tensor Scalar(float value) => FromData([value]);

    /// <summary>Samples from N(mean, std²) with the given generator.</summary>
    public static Tensor Normal(Rng rng, float mean, float std, params ReadOnlySpan<int> shape)
    {
        var t = Uninitialized(shape);
        rng.FillNormal(t.Span, mean, std);
        return t;
    }

    /// <summary>Samples from U(low, high) with the given generator.</summary>
    public static Tensor Uniform(Rng rng, float low, float high, params ReadOnlySpan<int> shape)
    {
        var t = Uninitialized(shape);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary>A copy with its own storage, outside autograd.</summary>
    public Tensor Clone()
    {
        var t = new Tensor(TensorPool.Rent(Length), (int[])_shape.Clone());
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>
    /// Backpropagates from this scalar (or from this tensor with an explicit seed gradient of the same
    /// shape), accumulating into the <see cref="Grad"/> of every leaf that requires a gradient.
    /// </summary>
    public void Backward(Tensor? seed = null) => Backpropagation.Run(this, seed);

    /// <summary>A copy that shares nothing and records no graph (PyTorch's <c>detach().clone()</c>).</summary>
    public Tensor Detach() => Clone();
}
