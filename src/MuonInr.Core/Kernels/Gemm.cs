namespace MuonInr.Kernels;

/// <summary>
/// The process-wide GEMM entry point. The provider is chosen once from <c>MUONINR_BLAS</c>
/// (<c>auto</c>: measured, see <see cref="GemmProviders.AutoDecision"/>; <c>managed</c>; <c>native</c>) and can be
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

    // The installed provider without choosing one (calibration installs each candidate in turn and puts
    // back what was there, including "not chosen yet", without recursing into the choice).
    internal static IGemmProvider? Installed
    {
        get => _provider;
        set => _provider = value;
    }

    /// <summary>C = alpha · op(A) · op(B) + beta · C through the current provider (row-major).</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc)
    {
        // Empty products (a layer with 0 rows, an empty batch) have nothing to compute; BLAS would reject
        // their leading dimension 0. k = 0 leaves C = β·C.
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0) row.Clear(); else TensorPrimitives.Multiply(row, beta, row);
            }
            return;
        }
        Provider.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>Strided batch of same-shape products through the current provider (see <see cref="IGemmProvider.SgemmStridedBatched"/>).</summary>
    public static void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        if (m == 0 || n == 0 || batch == 0) return;
        Provider.SgemmStridedBatched(transA, transB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, c, ldc, strideC, batch);
    }

    /// <summary>Symmetric rank-k update C_i = alpha · X_i · X_iᵀ + beta · C_i for a strided batch through the current provider (see <see cref="IGemmProvider.SsyrkStridedBatched"/>).</summary>
    public static void SsyrkStridedBatched(int n, int k, float alpha, ReadOnlySpan<float> x, int ldx, long strideX,
        float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        if (n == 0 || batch == 0) return;
        Provider.SsyrkStridedBatched(n, k, alpha, x, ldx, strideX, beta, c, ldc, strideC, batch);
    }
}
