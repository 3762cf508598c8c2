using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// Completes a symmetric matrix from its lower triangle: C[j, i] = C[i, j] for j &lt; i. The SYRK of
/// <see cref="ManagedGemm.SsyrkStridedBatched"/> computes only the lower triangle; Newton–Schulz then reads
/// the whole matrix as a GEMM operand. Off-diagonal 8x8 blocks move through registers (AVX), so a 256 x 256
/// mirror costs a few microseconds instead of a strided scalar pass.
/// </summary>
internal static unsafe class SymmetricMirror
{
    /// <summary>Copies the strict lower triangle of the n x n matrix at <paramref name="c"/> (row stride ldc) onto the upper one.</summary>
    public static void LowerToUpper(float* c, int n, int ldc) => LowerToUpperRows(c, n, ldc, 0, Blocks(n));

    /// <summary>Number of 8-row blocks of an n x n matrix (the unit of <see cref="LowerToUpperRows"/>).</summary>
    public static int Blocks(int n) => (n + 7) / 8;

    /// <summary>
    /// Fills the upper-triangle part of rows [8·j0, 8·j1) from the lower triangle; row blocks are independent,
    /// so threads can fill disjoint ranges at once. Block J costs about <see cref="Blocks"/>(n) − J transposes.
    /// </summary>
    public static void LowerToUpperRows(float* c, int n, int ldc, int j0, int j1)
    {
        int full = n / 8;
        for (int bj = j0; bj < j1; bj++)
        {
            int r0 = 8 * bj, r1 = Math.Min(n, r0 + 8);
            for (int j = r0; j < r1; j++)
                for (int i = j + 1; i < r1; i++) c[(long)j * ldc + i] = c[(long)i * ldc + j];
            // Destination rows r0..r1 are written left to right; the source is the column strip below them.
            int bi = bj + 1;
            if (Avx.IsSupported && bj < full)
                for (; bi < full; bi++) Transpose8x8(c + (long)(8 * bi) * ldc + r0, ldc, c + (long)r0 * ldc + 8 * bi, ldc);
            for (int j = r0; j < r1; j++)
                for (int i = Math.Max(8 * bi, j + 1); i < n; i++) c[(long)j * ldc + i] = c[(long)i * ldc + j];
        }
    }

    // dst (8 x 8, row stride ldd) = srcᵀ (8 x 8, row stride lds).
    private static void Transpose8x8(float* src, int lds, float* dst, int ldd)
    {
        var r0 = Avx.LoadVector256(src); var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds); var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds); var r5 = Avx.LoadVector256(src + 5 * lds);
        var r6 = Avx.LoadVector256(src + 6 * lds); var r7 = Avx.LoadVector256(src + 7 * lds);
        GemmPacking.Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
        Avx.Store(dst, r0); Avx.Store(dst + ldd, r1); Avx.Store(dst + 2 * ldd, r2); Avx.Store(dst + 3 * ldd, r3);
        Avx.Store(dst + 4 * ldd, r4); Avx.Store(dst + 5 * ldd, r5); Avx.Store(dst + 6 * ldd, r6); Avx.Store(dst + 7 * ldd, r7);
    }
}
