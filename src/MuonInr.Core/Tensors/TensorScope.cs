namespace MuonInr.Tensors;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and disposes them
/// (returning their buffers to <see cref="TensorPool"/>) when it is disposed. A training step opens one
/// scope, so activations, intermediate results and the loss go back to the pool at the end of the step.
/// Tensors that must outlive the scope are moved out with <see cref="Tensor.Escape"/>; parameters are
/// never owned by a scope.
/// </summary>
/// <example><code>
/// using (var scope = new TensorScope())
/// {
///     var loss = Ops.MseLoss(model.Forward(x), y);
///     loss.Backward();
/// } // every tensor of the step is back in the pool here
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly TensorScope? _parent;
    private readonly List<Tensor> _owned = new(64);
    private bool _disposed;

    /// <summary>Opens a scope that becomes the current one on this thread.</summary>
    public TensorScope()
    {
        _parent = _current;
        _current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>Number of live tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    internal void Register(Tensor tensor)
    {
        tensor.Scope = this;
        _owned.Add(tensor);
    }

    /// <summary>Disposes every tensor still owned by this scope and restores the enclosing scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current == this) _current = _parent;
        foreach (var t in _owned)
            if (ReferenceEquals(t.Scope, this)) t.Dispose();
        _owned.Clear();
    }
}
