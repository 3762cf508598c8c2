using MathNet.Numerics.LinearAlgebra;
using MuonInr.Kernels;

namespace MuonInr.Analysis;

/// <summary>Spectral summary of a matrix (MUON.md "Rank diagnostics", as in the paper's code).</summary>
/// <param name="SingularValues">σ + 1e-12, descending.</param>
/// <param name="StableRank">‖W‖_F² / ‖W‖₂²: how many directions carry comparable energy (1 ≤ sr ≤ rank).</param>
/// <param name="EffectiveRank">exp(−Σ pᵢ ln pᵢ) with pᵢ = σᵢ² / ‖W‖_F² (Roy and Vetterli's entropy rank on σ²).</param>
/// <param name="SpectralNorm">max σ.</param>
/// <param name="ConditionNumber">max σ / min σ.</param>
public sealed record SpectralSummary(double[] SingularValues, double StableRank, double EffectiveRank, double SpectralNorm, double ConditionNumber)
{
    /// <summary>Summary of given singular values (any order; the 1e-12 offset is added here).</summary>
    public static SpectralSummary FromSingularValues(IEnumerable<double> singularValues)
    {
        var s = singularValues.Select(v => Math.Max(0, v) + 1e-12).OrderDescending().ToArray();
        if (s.Length == 0) throw new ArgumentException("A spectral summary needs at least one singular value.");
        double fro2 = s.Sum(v => v * v), max = s[0], min = s[^1];
        double entropy = 0;
        foreach (double v in s)
        {
            double p = v * v / fro2;
            if (p > 0) entropy -= p * Math.Log(p);
        }
        return new SpectralSummary(s, fro2 / (max * max), Math.Exp(entropy), max, max / min);
    }
}

/// <summary>Rank diagnostics: singular values of weights and of activation batches.</summary>
public static class Spectra
{
    /// <summary>Summary of a weight matrix (rows × cols, row-major) from its singular values (double-precision SVD).</summary>
    public static SpectralSummary OfMatrix(ReadOnlySpan<float> w, int rows, int cols)
    {
        if (rows <= 0 || cols <= 0 || w.Length != (long)rows * cols)
            throw new ArgumentException($"Spectra of a {rows}x{cols} matrix needs {(long)rows * cols} values, got {w.Length}.");
        var m = Matrix<double>.Build.Dense(rows, cols);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) m[i, j] = w[i * cols + j];
        var sv = m.Svd(computeVectors: false).S;
        return SpectralSummary.FromSingularValues(sv.Enumerate());
    }

    /// <summary>
    /// Summary of a batch of activations X [n, features] through its Gram matrix XᵀX (features × features,
    /// one GEMM), whose eigenvalues are σ²: cheap for n ≫ features. Precision: σ below ~1e-3·σ_max are
    /// not resolved (float32 Gram), which does not affect stable rank.
    /// </summary>
    public static SpectralSummary OfActivations(ReadOnlySpan<float> x, int n, int features)
    {
        if (n <= 0 || features <= 0 || x.Length != (long)n * features)
            throw new ArgumentException($"Activation spectra of [{n}, {features}] needs {(long)n * features} values, got {x.Length}.");
        var gram = new float[features * features];
        Gemm.Sgemm(true, false, features, features, n, 1f, x, features, x, features, 0f, gram, features);
        var g = Matrix<double>.Build.Dense(features, features, (i, j) => 0.5 * (gram[i * features + j] + gram[j * features + i]));
        var eig = g.Evd(Symmetricity.Symmetric).EigenValues;
        return SpectralSummary.FromSingularValues(eig.Enumerate().Select(e => Math.Sqrt(Math.Max(0, e.Real))));
    }
}
