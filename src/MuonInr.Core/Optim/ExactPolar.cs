using MathNet.Numerics.LinearAlgebra;

namespace MuonInr.Optim;

/// <summary>
/// The exact polar factor U·Vᵀ from a thin SVD in double precision (MathNet): the reference the
/// Newton–Schulz iterations approximate, and the paper's Eq. 3. Slow (O(mn·min(m,n)) with a large
/// constant); meant for tests and small matrices. Singular directions with σ = 0 are dropped.
/// </summary>
public sealed class ExactPolar : IOrthogonalizer
{
    /// <inheritdoc />
    public string Name => "svd";

    /// <inheritdoc />
    public void Orthogonalize(ReadOnlySpan<float> input, int rows, int cols, Span<float> output)
    {
        long size = (long)rows * cols;
        if (rows <= 0 || cols <= 0 || input.Length != size || output.Length != size)
            throw new ArgumentException($"Orthogonalize needs a {rows}x{cols} matrix and output of {size} values, got {input.Length} and {output.Length}.");
        var m = Matrix<double>.Build.Dense(rows, cols);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i, j] = input[i * cols + j];
        var svd = m.Svd(computeVectors: true);
        int k = Math.Min(rows, cols);
        double tol = svd.S.Count > 0 ? svd.S[0] * Math.Max(rows, cols) * 1e-15 : 0;
        var u = svd.U; var vt = svd.VT;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                for (int t = 0; t < k; t++) if (svd.S[t] > tol) s += u[i, t] * vt[t, j];
                output[i * cols + j] = (float)s;
            }
    }
}
