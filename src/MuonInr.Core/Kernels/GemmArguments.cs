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

    /// <summary>
    /// Checks a strided batch: <see cref="Validate"/> for each product, non-negative strides, buffers long
    /// enough for the last product, and outputs that do not overlap (A and B may share or repeat storage:
    /// a stride of 0 broadcasts one operand).
    /// </summary>
    public static void ValidateBatch(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, long strideA, int bLength, int ldb, long strideB, int cLength, int ldc, long strideC, int batch)
    {
        if (batch < 0) throw new ArgumentException($"GEMM batch count must be non-negative, got {batch}.");
        if (strideA < 0 || strideB < 0 || strideC < 0)
            throw new ArgumentException($"GEMM batch strides must be non-negative, got A {strideA}, B {strideB}, C {strideC}.");
        long last = Math.Max(0, batch - 1);
        Validate(transA, transB, m, n, k, Remaining(aLength, last * strideA), lda, Remaining(bLength, last * strideB), ldb,
            Remaining(cLength, last * strideC), ldc);
        long cSize = m == 0 || n == 0 ? 0 : (long)(m - 1) * ldc + n;
        if (batch > 1 && strideC < cSize)
            throw new ArgumentException($"GEMM batch stride of C is {strideC} but each [{m}, {n}] C with leading dimension {ldc} spans {cSize} elements: the outputs would overlap.");
    }

    private static int Remaining(int length, long offset) => (int)Math.Clamp(length - offset, 0, int.MaxValue);

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
