using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layouts the register
/// tiles read sequentially (BLIS's packing). Packing turns every transpose case into the same inner
/// loop and keeps the microkernel's loads unit-stride.
/// </summary>
internal static unsafe class GemmPacking
{
    // Off: the scalar packing loops only (A/B measurements of the vector paths).
    internal static bool VectorPacking = true;
    // Off: full panels of fewer than 8 rows store each step as 4 + 2 (+ 1) floats (A/B measurements; same bits).
    internal static bool FullWidthStores = true;

    /// <summary>
    /// Packs op(A)[i0 : i0+mc, p0 : p0+kc] as ⌈mc/mr⌉ micro-panels of kc steps × mr rows:
    /// dst[panel·kc·mr + p·mr + r] = op(A)[i0 + panel·mr + r, p0 + p], zero past row mc.
    /// A is stored [m, lda] (not transposed) or [k, lda] (transposed). <paramref name="prefetchNext"/>: another
    /// k block follows (rows p0 + kc …), so its source lines may be requested now.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, int lda, int i0, int mc, int p0, int kc, int mr, float* dst, bool prefetchNext = false)
    {
        int start = 0;
        if (transA && VectorPacking)
        {
            // op(A)[i, p] = A[p, i]: step p of every full panel lies in one unit-stride run of row p of A, so
            // walk the rows once and deal each run out to the panels. (Panel by panel, the same rows would be
            // re-read once per panel at stride lda, which thrashes L1 when lda is a multiple of 1 KiB.) With
            // prefetchNext, the same columns of the next k block's rows are requested into L2 meanwhile: when
            // k is long (the weight gradient, TN over 65,536 points) the source comes from memory, and
            // without it packing waits on every line (TN with the AVX2 tile 154–165 → 170–174 GFLOP/s).
            int full = mc / mr;
            float* src = a + (long)p0 * lda + i0;
            for (int p = 0; p < kc; p++, src += lda)
            {
                if (prefetchNext && Sse.IsSupported) for (int q = 0; q < full * mr; q += 16) Sse.Prefetch1(src + (long)kc * lda + q);
                for (int q = 0; q < full; q++) CopyFloats(dst + (long)q * mr * kc + (long)p * mr, src + q * mr, mr);
            }
            start = full * mr;
        }
        for (int ir = start; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* panel = dst + (long)ir * kc;
            if (transA)
            {
                // op(A)[i, p] = A[p, i]: the mr rows of step p are contiguous in A.
                float* src = a + (long)p0 * lda + i0 + ir;
                if (rows == mr && VectorPacking)
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += mr) CopyFloats(panel, src, mr);
                    continue;
                }
                for (int p = 0; p < kc; p++, src += lda, panel += mr)
                {
                    int r = 0;
                    for (; r < rows; r++) panel[r] = src[r];
                    for (; r < mr; r++) panel[r] = 0f;
                }
            }
            else
            {
                // op(A)[i, p] = A[i, p]: walk mr rows side by side, each unit-stride in p. Full panels
                // transpose 8 x 8 blocks in registers (row groups of 8, steps of 8): one load and one
                // store per vector instead of a scalar store per element at stride mr.
                float* rowsSrc = a + (long)(i0 + ir) * lda + p0;
                int done = rows == mr && VectorPacking && Avx.IsSupported ? PackRowsTransposed(rowsSrc, lda, kc, mr, panel) : 0;
                for (int r = 0; r < mr; r++)
                {
                    float* d = panel + r;
                    if (r < rows)
                    {
                        float* src = a + (long)(i0 + ir + r) * lda + p0;
                        for (int p = done; p < kc; p++) d[(long)p * mr] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) d[(long)p * mr] = 0f;
                    }
                }
            }
        }
    }

    // Steps [0, kc − kc % 8) of a full panel: dst[p·mr + r] = src[r·lda + p] for r < mr (mr ≤ 32), by
    // 8 x 8 register transposes of row groups (a group of fewer than 8 rows transposes zeros in the
    // missing rows and stores only its rows). Returns the number of steps packed.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int PackRowsTransposed(float* src, int lda, int kc, int mr, float* dst)
    {
        if (mr > 32) return 0;
        int end = kc - kc % 8;
        for (int p = 0; p < end; p += 8)
        {
            for (int g = 0; g < mr; g += 8)
            {
                int gs = Math.Min(8, mr - g);
                float* s = src + (long)g * lda + p;
                var r0 = Vector256.Load(s);
                var r1 = gs > 1 ? Vector256.Load(s + lda) : Vector256<float>.Zero;
                var r2 = gs > 2 ? Vector256.Load(s + 2L * lda) : Vector256<float>.Zero;
                var r3 = gs > 3 ? Vector256.Load(s + 3L * lda) : Vector256<float>.Zero;
                var r4 = gs > 4 ? Vector256.Load(s + 4L * lda) : Vector256<float>.Zero;
                var r5 = gs > 5 ? Vector256.Load(s + 5L * lda) : Vector256<float>.Zero;
                var r6 = gs > 6 ? Vector256.Load(s + 6L * lda) : Vector256<float>.Zero;
                var r7 = gs > 7 ? Vector256.Load(s + 7L * lda) : Vector256<float>.Zero;
                Transpose8x8(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
                float* d = dst + (long)p * mr + g;
                if (mr < 8 && FullWidthStores && p + 8 < kc)
                {
                    // One group holds every row, so each step's 8-float store may run mr floats into the next
                    // step, which the next store (or, past the last group, the tail loop) overwrites: one full
                    // store per step instead of a 4 + 2 split. Only the panel's very last step must stop at mr.
                    r0.Store(d + 0L * mr); r1.Store(d + 1L * mr); r2.Store(d + 2L * mr); r3.Store(d + 3L * mr);
                    r4.Store(d + 4L * mr); r5.Store(d + 5L * mr); r6.Store(d + 6L * mr); r7.Store(d + 7L * mr);
                    continue;
                }
                StoreFirst(d + 0L * mr, r0, gs);
                StoreFirst(d + 1L * mr, r1, gs);
                StoreFirst(d + 2L * mr, r2, gs);
                StoreFirst(d + 3L * mr, r3, gs);
                StoreFirst(d + 4L * mr, r4, gs);
                StoreFirst(d + 5L * mr, r5, gs);
                StoreFirst(d + 6L * mr, r6, gs);
                StoreFirst(d + 7L * mr, r7, gs);
            }
        }
        return end;
    }

    /// <summary>The rows r0..r7 of an 8 x 8 block become its columns, in registers (AVX unpack, shuffle, permute).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20); r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20); r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31); r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31); r7 = Avx.Permute2x128(s3, s7, 0x31);
    }

    // Stores the first `count` (1..8) lanes of v at dst, writing nothing past them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst(float* dst, Vector256<float> v, int count)
    {
        if (count == 8) { v.Store(dst); return; }
        var lo = v.GetLower();
        int i = 0;
        if (count >= 4) { lo.Store(dst); lo = v.GetUpper(); i = 4; }
        if (count - i >= 2) { Unsafe.WriteUnaligned(dst + i, lo.AsUInt64().ToScalar()); lo = Vector128.Shuffle(lo, Vector128.Create(2, 3, 0, 1)); i += 2; }
        if (count - i == 1) dst[i] = lo.ToScalar();
    }

    // dst[0:count] = src[0:count] for a register-tile-sized count, in vector moves.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyFloats(float* dst, float* src, int count)
    {
        int i = 0;
        for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        if (count - i >= 4) { Vector128.Store(Vector128.Load(src + i), dst + i); i += 4; }
        if (count - i >= 2) { Unsafe.WriteUnaligned(dst + i, Unsafe.ReadUnaligned<ulong>(src + i)); i += 2; }
        if (count - i == 1) dst[i] = src[i];
    }

    /// <summary>
    /// Packs op(B)[p0 : p0+kc, j0+jStart : j0+jEnd] (jStart, jEnd multiples of nr within the block) as
    /// micro-panels of kc steps × nr columns: dst[panel·kc·nr + p·nr + c] = op(B)[p0 + p, j0 + panel·nr + c],
    /// zero past column nc. B is stored [k, ldb] (not transposed) or [n, ldb] (transposed).
    /// <paramref name="prefetchNext"/> as for <see cref="PackA"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, int ldb, int p0, int kc, int j0, int nc, int nr, float* dst, int jStart, int jEnd, bool prefetchNext = false)
    {
        if (!transB && VectorPacking)
        {
            // op(B)[p, j] = B[p, j]: step p of the full panels is one unit-stride run of row p of B; walk the
            // rows once (see PackA, also for prefetchNext) and leave a partial last panel to the loop below.
            int fullEnd = Math.Min(jEnd, nc - nc % nr);
            if (fullEnd > jStart)
            {
                float* src = b + (long)p0 * ldb + j0;
                for (int p = 0; p < kc; p++, src += ldb)
                {
                    if (prefetchNext && Sse.IsSupported) for (int q = jStart; q < fullEnd; q += 16) Sse.Prefetch1(src + (long)kc * ldb + q);
                    for (int jr = jStart; jr < fullEnd; jr += nr) CopyFloats(dst + (long)jr * kc + (long)p * nr, src + jr, nr);
                }
                jStart = fullEnd;
            }
        }
        for (int jr = jStart; jr < jEnd && jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* panel = dst + (long)jr * kc;
            if (transB)
            {
                // op(B)[p, j] = B[j, p]: each of the nr columns is a unit-stride row of B. Full panels go
                // through 8 x 8 register transposes like A's rows (this packing is a tenth of a 256³
                // product, Newton–Schulz's X·Xᵀ, when done element by element at stride nr).
                float* rowsSrc = b + (long)(j0 + jr) * ldb + p0;
                int done = cols == nr && VectorPacking && Avx.IsSupported ? PackRowsTransposed(rowsSrc, ldb, kc, nr, panel) : 0;
                for (int c = 0; c < nr; c++)
                {
                    float* d = panel + c;
                    if (c < cols)
                    {
                        float* src = b + (long)(j0 + jr + c) * ldb + p0;
                        for (int p = done; p < kc; p++) d[(long)p * nr] = src[p];
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
