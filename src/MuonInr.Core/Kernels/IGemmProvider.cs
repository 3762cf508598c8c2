namespace MuonInr.Kernels;

/// <summary>
/// Single-precision general matrix multiply with BLAS semantics on row-major storage:
/// C = alpha · op(A) · op(B) + beta · C, where op(X) is X or Xᵀ.
/// </summary>
/// <remarks>
/// Shapes: op(A) is [m, k], op(B) is [k, n], C is [m, n]. A is stored [m, lda] when not transposed and
/// [k, lda] when transposed; likewise B is [k, ldb] or [n, ldb]; C is [m, ldc]. When beta is 0, C is
/// not read (NaN in C does not propagate), as in reference BLAS.
/// Providers must be safe to call from one thread at a time; they may use several threads inside.
/// </remarks>
public interface IGemmProvider
{
    /// <summary>Short name shown in benchmarks and logs, e.g. "managed-avx2" or "openblas".</summary>
    string Name { get; }

    /// <summary>Computes C = alpha · op(A) · op(B) + beta · C (row-major).</summary>
    void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc);

    /// <summary>
    /// <paramref name="batch"/> products C_i = alpha · op(A_i) · op(B_i) + beta · C_i of one shape, with
    /// A_i starting at a[i · strideA] (likewise B_i, C_i). The default runs them one after another through
    /// <see cref="Sgemm"/>; <see cref="ManagedGemm"/> shares one parallel pass between them.
    /// </summary>
    void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        GemmArguments.ValidateBatch(transA, transB, m, n, k, a.Length, lda, strideA, b.Length, ldb, strideB, c.Length, ldc, strideC, batch);
        for (int i = 0; i < batch; i++)
            Sgemm(transA, transB, m, n, k, alpha, a[(int)(i * strideA)..], lda, b[(int)(i * strideB)..], ldb, beta, c[(int)(i * strideC)..], ldc);
    }

    /// <summary>
    /// Symmetric rank-k update C_i = alpha · X_i · X_iᵀ + beta · C_i (X_i [n, k] row-major, C_i [n, n]) for a
    /// strided batch; all of C is written. C must be symmetric when beta ≠ 0 (implementations may read only
    /// its lower triangle). The default is the full product through <see cref="Sgemm"/>;
    /// <see cref="ManagedGemm"/> computes the lower triangle only (half the multiply–adds) and mirrors it.
    /// </summary>
    void SsyrkStridedBatched(int n, int k, float alpha, ReadOnlySpan<float> x, int ldx, long strideX,
        float beta, Span<float> c, int ldc, long strideC, int batch)
        => SgemmStridedBatched(false, true, n, n, k, alpha, x, ldx, strideX, x, ldx, strideX, beta, c, ldc, strideC, batch);
}
