using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layouts the register
/// tiles read sequentially (BLIS's packing). Packing turns every transpose case into the same inner
/// loop and keeps the microkernel's loads unit-stride.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0 : i0+mc, p0 : p0+kc] as ⌈mc/mr⌉ micro-panels of kc steps × mr rows:
    /// dst[panel·kc·mr + p·mr + r] = op(A)[i0 + panel·mr + r, p0 + p], zero past row mc.
    /// A is stored [m, lda] (not transposed) or [k, lda] (transposed).
    /// </summary>
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (long)ir * kc;
            if (transA)
            {
                // op(A)[i, p] = A[p, i]: the mr rows of step p are contiguous in A.
                float* src = a + (long)p0 * lda + i0 + ir;
                for (int p = 0; p < kc; p++, src += lda, panel += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) panel[r] = src[r];
                    for (; r < mr; r++) panel[r] = 0f;
                }
            }
            else
            {
                // op(A)[i, p] = A[i, p]: walk mr rows side by side, each unit-stride in p.
                for (int r = 0; r < mr; r++)
                {
                    float* d = panel + r;
                    if (r < rows)
                    {
                        float* src = a + (long)(i0 + ir + r) * lda + p0;
                        for (int p = 0; p < kc; p++) d[(long)p * mr] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) d[(long)p * mr] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[p0 : p0+kc, j0+jStart : j0+jEnd] (jStart, jEnd multiples of nr within the block) as
    /// micro-panels of kc steps × nr columns: dst[panel·kc·nr + p·nr + c] = op(B)[p0 + p, j0 + panel·nr + c],
    /// zero past column nc. B is stored [k, ldb] (not transposed) or [n, ldb] (transposed).
    /// </summary>
    public static void PackB(bool transB, float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst, int jStart, int jEnd)
    {
        for (int jr = jStart; jr < jEnd && jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (long)jr * kc;
            if (transB)
            {
                // op(B)[p, j] = B[j, p]: each of the nr columns is a unit-stride row of B.
                for (int c = 0; c < nr; c++)
                {
                    float* d = panel + c;
                    if (c < cols)
                    {
                        float* src = b + (long)(j0 + jr + c) * ldb + p0;
                        for (int p = 0; p < kc; p++) d[(long)p * nr] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) d[(long)p * nr] = 0f;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = B[p, j]: the nr columns of step p are contiguous in B.
                float* src = b + (long)p0 * ldb + j0 + jr;
                for (int p = 0; p < kc; p++, src += ldb, panel += nr)
                {
                    if (cols == nr) Unsafe.CopyBlockUnaligned(panel, src, (uint)(nr * sizeof(float)));
                    else
                    {
                        int c = 0;
                        for (; c < cols; c++) panel[c] = src[c];
                        for (; c < nr; c++) panel[c] = 0f;
                    }
                }
            }
        }
    }
}
