using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// GEMM register tile for AVX2 + FMA: 6 rows x 16 columns in 12 ymm accumulators (of 16): per k step
/// 2 loads of B, 6 broadcasts of A and 12 FMAs. Written once (<see cref="Tile"/>) over where each step's
/// operands come from: packed micro-panels, or a source that the tile packs as it reads it.
/// </summary>
internal static unsafe class MicrokernelAvx2
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 6;
    /// <summary>Columns of the register tile.</summary>
    public const int NR = 16;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported;

    // a: packed A micro-panel, kc steps of MR floats (column r of step p at a[p*MR + r]).
    // b: packed B micro-panel, kc steps of NR floats.
    // c: C tile (MR, NR) with row stride ldc. C = alpha*A*B + beta*C; beta == 0 never reads C.
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        => Tile(kc, new TilePanels.PackedA<Rows>(a), new TilePanels.PackedB<Simd256>(b), c, ldc, alpha, beta);

    // Run with A packed on the fly: op(A) = Aᵀ, so step p's MR values are aSrc[p·lda + r], one unit-stride run of
    // a source row. The tile reads them from there and copies them into its packed micro-panel aDst, which the
    // block's later tiles read as usual; the copy uses load and store slots the FMAs leave idle, where a separate
    // packing pass costs ~7 % of the weight gradient (TN over 65,536 points). Products equal Run's bit for bit.
    // aNext: offset of the next k block's rows (0: none), requested into L2 step by step.
    public static void RunPackA(int kc, float* aSrc, nint lda, nint aNext, float* aDst, float* b, float* c, int ldc, float alpha, float beta)
        => Tile(kc, new TilePanels.CopyingA<Rows>(aSrc, lda, aNext, aDst), new TilePanels.PackedB<Simd256>(b), c, ldc, alpha, beta);

    // Run with B packed on the fly: op(B) = B, so step p's NR values are bSrc[p·ldb + j], copied into the packed
    // micro-panel bDst as the tile reads them (see RunPackA).
    public static void RunPackB(int kc, float* a, float* bSrc, nint ldb, nint bNext, float* bDst, float* c, int ldc, float alpha, float beta)
        => Tile(kc, new TilePanels.PackedA<Rows>(a), new TilePanels.CopyingB<Simd256>(bSrc, ldb, bNext, bDst), c, ldc, alpha, beta);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TA, TB>(int kc, TA aArg, TB bArg, float* c, int ldc, float alpha, float beta)
        where TA : struct, TilePanels.IStepA where TB : struct, TilePanels.IStepB<Simd256>
    {
        // Locals rather than the (stack-passed) arguments, so that the JIT keeps every field in a register.
        var a = aArg;
        var b = bArg;
        var c0_0 = Vector256<float>.Zero; var c0_1 = Vector256<float>.Zero;
        var c1_0 = Vector256<float>.Zero; var c1_1 = Vector256<float>.Zero;
        var c2_0 = Vector256<float>.Zero; var c2_1 = Vector256<float>.Zero;
        var c3_0 = Vector256<float>.Zero; var c3_1 = Vector256<float>.Zero;
        var c4_0 = Vector256<float>.Zero; var c4_1 = Vector256<float>.Zero;
        var c5_0 = Vector256<float>.Zero; var c5_1 = Vector256<float>.Zero;
        // The C tile is read (beta ≠ 0) or written only after the k loop; when C is large (2048² and up, a later
        // k block) its lines are in L3 or memory, so request them now and let the loop hide the miss.
        TilePanels.PrefetchRows(c, ldc, MR, NR);
        for (int p = 0; p < kc; p++)
        {
            b.Step(out var bv0, out var bv1);
            var b0 = bv0.V;
            var b1 = bv1.V;
            float* s = a.Step();
            var a0 = Vector256.Create(s[0]);
            c0_0 = Vector256.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector256.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector256.Create(s[1]);
            c1_0 = Vector256.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector256.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector256.Create(s[2]);
            c2_0 = Vector256.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector256.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector256.Create(s[3]);
            c3_0 = Vector256.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector256.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector256.Create(s[4]);
            c4_0 = Vector256.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector256.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector256.Create(s[5]);
            c5_0 = Vector256.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector256.FusedMultiplyAdd(a5, b1, c5_1);
        }
        var va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (c0_0 * va).Store(c + 0 * (nint)ldc + 0);
            (c0_1 * va).Store(c + 0 * (nint)ldc + 8);
            (c1_0 * va).Store(c + 1 * (nint)ldc + 0);
            (c1_1 * va).Store(c + 1 * (nint)ldc + 8);
            (c2_0 * va).Store(c + 2 * (nint)ldc + 0);
            (c2_1 * va).Store(c + 2 * (nint)ldc + 8);
            (c3_0 * va).Store(c + 3 * (nint)ldc + 0);
            (c3_1 * va).Store(c + 3 * (nint)ldc + 8);
            (c4_0 * va).Store(c + 4 * (nint)ldc + 0);
            (c4_1 * va).Store(c + 4 * (nint)ldc + 8);
            (c5_0 * va).Store(c + 5 * (nint)ldc + 0);
            (c5_1 * va).Store(c + 5 * (nint)ldc + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Vector256.FusedMultiplyAdd(c0_0, va, Vector256.Load(c + 0 * (nint)ldc + 0) * vb).Store(c + 0 * (nint)ldc + 0);
            Vector256.FusedMultiplyAdd(c0_1, va, Vector256.Load(c + 0 * (nint)ldc + 8) * vb).Store(c + 0 * (nint)ldc + 8);
            Vector256.FusedMultiplyAdd(c1_0, va, Vector256.Load(c + 1 * (nint)ldc + 0) * vb).Store(c + 1 * (nint)ldc + 0);
            Vector256.FusedMultiplyAdd(c1_1, va, Vector256.Load(c + 1 * (nint)ldc + 8) * vb).Store(c + 1 * (nint)ldc + 8);
            Vector256.FusedMultiplyAdd(c2_0, va, Vector256.Load(c + 2 * (nint)ldc + 0) * vb).Store(c + 2 * (nint)ldc + 0);
            Vector256.FusedMultiplyAdd(c2_1, va, Vector256.Load(c + 2 * (nint)ldc + 8) * vb).Store(c + 2 * (nint)ldc + 8);
            Vector256.FusedMultiplyAdd(c3_0, va, Vector256.Load(c + 3 * (nint)ldc + 0) * vb).Store(c + 3 * (nint)ldc + 0);
            Vector256.FusedMultiplyAdd(c3_1, va, Vector256.Load(c + 3 * (nint)ldc + 8) * vb).Store(c + 3 * (nint)ldc + 8);
            Vector256.FusedMultiplyAdd(c4_0, va, Vector256.Load(c + 4 * (nint)ldc + 0) * vb).Store(c + 4 * (nint)ldc + 0);
            Vector256.FusedMultiplyAdd(c4_1, va, Vector256.Load(c + 4 * (nint)ldc + 8) * vb).Store(c + 4 * (nint)ldc + 8);
            Vector256.FusedMultiplyAdd(c5_0, va, Vector256.Load(c + 5 * (nint)ldc + 0) * vb).Store(c + 5 * (nint)ldc + 0);
            Vector256.FusedMultiplyAdd(c5_1, va, Vector256.Load(c + 5 * (nint)ldc + 8) * vb).Store(c + 5 * (nint)ldc + 8);
        }
    }

    // This tile's MR for the shared operand sources of TilePanels.
    private struct Rows : TilePanels.ITileRows { public static int MR => MicrokernelAvx2.MR; }
}
