namespace MuonInr.Optim;

/// <summary>
/// Maps a matrix U (rows × cols, row-major) to (an approximation of) its polar factor, the nearest
/// semi-orthogonal matrix U·S⁰·Vᵀ: Muon's orthogonalization strategy (ARCHITECTURE decision 9).
/// Implementations keep their workspaces between calls, so steady-state steps allocate nothing;
/// an instance is not thread-safe.
/// </summary>
public interface IOrthogonalizer
{
    /// <summary>Name for logs and configs ("ns5", "polar-express", "svd").</summary>
    string Name { get; }

    /// <summary>Writes the orthogonalized <paramref name="input"/> (rows × cols) into <paramref name="output"/> (same shape).</summary>
    void Orthogonalize(ReadOnlySpan<float> input, int rows, int cols, Span<float> output);

    /// <summary>
    /// Orthogonalizes <paramref name="count"/> matrices of one shape stored one after another in
    /// <paramref name="input"/> (count × rows × cols) into <paramref name="output"/>. The default does them one
    /// at a time; <see cref="NewtonSchulz"/> runs each product once for the whole batch.
    /// </summary>
    void OrthogonalizeBatch(ReadOnlySpan<float> input, int count, int rows, int cols, Span<float> output)
    {
        int n = rows * cols;
        if (count < 0 || input.Length != count * n || output.Length != count * n)
            throw new ArgumentException($"Orthogonalize needs {count} matrices of {rows}x{cols} and output of {count * n} values, got {input.Length} and {output.Length}.");
        for (int i = 0; i < count; i++) Orthogonalize(input.Slice(i * n, n), rows, cols, output.Slice(i * n, n));
    }
}
