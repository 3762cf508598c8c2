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
}
