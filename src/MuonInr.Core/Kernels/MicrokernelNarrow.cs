using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// The register tile for a last column panel at most one vector wide (n = 257 leaves one column after
/// sixteen 16-wide panels of the AVX2 tile): six rows by one vector, reading the first vector of each step
/// of a packed B micro-panel, so such a panel costs a step of 6 FMAs instead of the full tile's 12 (AVX2) or
/// 24 (AVX-512, two passes of six rows). Each element runs the same multiply-adds in the same order as in
/// the full tile, so its products are bit-identical to it.
/// </summary>
internal static unsafe class MicrokernelNarrow
{
    /// <summary>Rows per pass.</summary>
    public const int Rows = 6;

    /// <summary>
    /// c[r·ldc + j] = alpha · Σ_p a[p·aStep + r] · b[p·bStep + j] for r &lt; rows (≤ the tile's MR), j &lt; one vector;
    /// a: packed A micro-panel (aStep = MR floats per step), b: packed B micro-panel (bStep = NR floats per step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TVec>(int kc, float* a, int aStep, int rows, float* b, int bStep, float* c, int ldc, float alpha)
        where TVec : struct, ISimdFloat<TVec>
    {
        for (int r0 = 0; r0 < rows; r0 += Rows)
            Pass<TVec>(kc, a + r0, aStep, b, bStep, c + (nint)r0 * ldc, ldc, alpha);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass<TVec>(int kc, float* a, int aStep, float* b, int bStep, float* c, int ldc, float alpha)
        where TVec : struct, ISimdFloat<TVec>
    {
        var zero = TVec.Create(0f);
        TVec c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero;
        for (int p = 0; p < kc; p++)
        {
            var bv = TVec.Load(b);
            c0 = TVec.FusedMultiplyAdd(TVec.Create(a[0]), bv, c0);
            c1 = TVec.FusedMultiplyAdd(TVec.Create(a[1]), bv, c1);
            c2 = TVec.FusedMultiplyAdd(TVec.Create(a[2]), bv, c2);
            c3 = TVec.FusedMultiplyAdd(TVec.Create(a[3]), bv, c3);
            c4 = TVec.FusedMultiplyAdd(TVec.Create(a[4]), bv, c4);
            c5 = TVec.FusedMultiplyAdd(TVec.Create(a[5]), bv, c5);
            a += aStep; b += bStep;
        }
        var va = TVec.Create(alpha);
        TVec.Store(c, c0 * va);
        TVec.Store(c + (nint)ldc, c1 * va);
        TVec.Store(c + 2 * (nint)ldc, c2 * va);
        TVec.Store(c + 3 * (nint)ldc, c3 * va);
        TVec.Store(c + 4 * (nint)ldc, c4 * va);
        TVec.Store(c + 5 * (nint)ldc, c5 * va);
    }
}
