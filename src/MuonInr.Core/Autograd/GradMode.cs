namespace MuonInr.Autograd;

/// <summary>
/// Whether ops record the graph for backpropagation on this thread. Use <see cref="NoGrad"/> for
/// evaluation and optimizer updates, like PyTorch's <c>torch.no_grad()</c>.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabledDepth;

    /// <summary>True when ops record the graph (the default).</summary>
    public static bool IsEnabled => _disabledDepth == 0;

    /// <summary>Disables recording until the returned scope is disposed (nestable).</summary>
    public static NoGradScope NoGrad() => new(0);

    /// <summary>Scope returned by <see cref="NoGrad"/>.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        internal NoGradScope(int _) => _disabledDepth++;

        /// <summary>Re-enables recording (if no outer scope still disables it).</summary>
        public void Dispose() => _disabledDepth--;
    }
}
