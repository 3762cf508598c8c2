namespace MuonInr.Kernels;

/// <summary>Argument checks shared by every GEMM provider, with messages that name the offending values.</summary>
public static class GemmArguments
{
    /// <summary>Throws <see cref="ArgumentException"/> when dimensions, leading dimensions or buffer lengths are inconsistent.</summary>
    public static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentException($"GEMM dimensions must be non-negative, got m={m}, n={n}, k={k}.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        Check("A", aRows, aCols, aLength, lda, transA);
        Check("B", bRows, bCols, bLength, ldb, transB);
        Check("C", m, n, cLength, ldc, false);
    }

    private static void Check(string name, int rows, int cols, int length, int ld, bool trans)
    {
        if (ld < Math.Max(1, cols))
            throw new ArgumentException(
                $"GEMM leading dimension of {name} is {ld} but {name}{(trans ? " (transposed)" : "")} is stored [{rows}, {cols}], so it must be at least {Math.Max(1, cols)}.");
        long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException(
                $"GEMM buffer {name} has {length} elements but [{rows}, {cols}] with leading dimension {ld} needs {needed}.");
    }
}
