namespace MuonInr.Kernels;

/// <summary>
/// The process-wide GEMM entry point. The provider is chosen once from <c>MUONINR_BLAS</c>
/// (<c>auto</c>: see <see cref="GemmProviders.Auto"/>; <c>managed</c>; <c>native</c>) and can be
/// replaced at any time, e.g. by the CLI's <c>--blas</c> flag or by benchmarks.
/// </summary>
public static class Gemm
{
    private static IGemmProvider? _provider;

    /// <summary>The provider every tensor operation uses.</summary>
    public static IGemmProvider Provider
    {
        get => _provider ??= GemmProviders.FromEnvironment();
        set => _provider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>C = alpha · op(A) · op(B) + beta · C through the current provider (row-major).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
        => Provider.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
