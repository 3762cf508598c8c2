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
}
