using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// GEMM register tile for AVX-512: 12 rows x 32 columns held in 24 zmm accumulators (of 32), so each
/// k step does 2 loads of B, 12 broadcasts of A and 24 FMAs: enough independent FMAs to cover their
/// latency on both FMA pipes, and B's 32-column micro-panel (32 KB at kc = 256) stays in L1. Written once
/// (<see cref="Tile"/>) over where each step's operands come from, as <see cref="MicrokernelAvx2"/>.
/// </summary>
internal static unsafe class MicrokernelAvx512
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 12;
    /// <summary>Columns of the register tile.</summary>
    public const int NR = 32;

    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    // a: packed A micro-panel, kc steps of MR floats (column r of step p at a[p*MR + r]).
    // b: packed B micro-panel, kc steps of NR floats.
    // c: C tile (MR, NR) with row stride ldc. C = alpha*A*B + beta*C; beta == 0 never reads C.
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
        => Tile(kc, new TilePanels.PackedA<Rows>(a), new TilePanels.PackedB<Simd512>(b), c, ldc, alpha, beta);

    // Run with A (transposed) packed on the fly from its source; see MicrokernelAvx2.RunPackA.
    public static void RunPackA(int kc, float* aSrc, nint lda, nint aNext, float* aDst, float* b, float* c, int ldc, float alpha, float beta)
        => Tile(kc, new TilePanels.CopyingA<Rows>(aSrc, lda, aNext, aDst), new TilePanels.PackedB<Simd512>(b), c, ldc, alpha, beta);

    // Run with B (not transposed) packed on the fly from its source; see MicrokernelAvx2.RunPackB.
    public static void RunPackB(int kc, float* a, float* bSrc, nint ldb, nint bNext, float* bDst, float* c, int ldc, float alpha, float beta)
        => Tile(kc, new TilePanels.PackedA<Rows>(a), new TilePanels.CopyingB<Simd512>(bSrc, ldb, bNext, bDst), c, ldc, alpha, beta);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TA, TB>(int kc, TA aArg, TB bArg, float* c, int ldc, float alpha, float beta)
        where TA : struct, TilePanels.IStepA where TB : struct, TilePanels.IStepB<Simd512>
    {
        // Locals rather than the (stack-passed) arguments, so that the JIT keeps every field in a register.
        var a = aArg;
        var b = bArg;
        var c0_0 = Vector512<float>.Zero;
        var c0_1 = Vector512<float>.Zero;
        var c1_0 = Vector512<float>.Zero;
        var c1_1 = Vector512<float>.Zero;
        var c2_0 = Vector512<float>.Zero;
        var c2_1 = Vector512<float>.Zero;
        var c3_0 = Vector512<float>.Zero;
        var c3_1 = Vector512<float>.Zero;
        var c4_0 = Vector512<float>.Zero;
        var c4_1 = Vector512<float>.Zero;
        var c5_0 = Vector512<float>.Zero;
        var c5_1 = Vector512<float>.Zero;
        var c6_0 = Vector512<float>.Zero;
        var c6_1 = Vector512<float>.Zero;
        var c7_0 = Vector512<float>.Zero;
        var c7_1 = Vector512<float>.Zero;
        var c8_0 = Vector512<float>.Zero;
        var c8_1 = Vector512<float>.Zero;
        var c9_0 = Vector512<float>.Zero;
        var c9_1 = Vector512<float>.Zero;
        var c10_0 = Vector512<float>.Zero;
        var c10_1 = Vector512<float>.Zero;
        var c11_0 = Vector512<float>.Zero;
        var c11_1 = Vector512<float>.Zero;
        // The C tile's lines are needed only after the k loop; when C is large they are in L3 or memory, so
        // request them now (each row of 32 floats spans two or three lines).
        TilePanels.PrefetchRows(c, ldc, MR, NR);
        for (int p = 0; p < kc; p++)
        {
            b.Step(out var bv0, out var bv1);
            var b0 = bv0.V;
            var b1 = bv1.V;
            float* s = a.Step();
            var a0 = Vector512.Create(s[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector512.Create(s[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector512.Create(s[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector512.Create(s[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            var a4 = Vector512.Create(s[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            var a5 = Vector512.Create(s[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            var a6 = Vector512.Create(s[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            var a7 = Vector512.Create(s[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            var a8 = Vector512.Create(s[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            var a9 = Vector512.Create(s[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            var a10 = Vector512.Create(s[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            var a11 = Vector512.Create(s[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
        }
        var va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            (c0_0 * va).Store(c + 0 * (nint)ldc + 0);
            (c0_1 * va).Store(c + 0 * (nint)ldc + 16);
            (c1_0 * va).Store(c + 1 * (nint)ldc + 0);
            (c1_1 * va).Store(c + 1 * (nint)ldc + 16);
            (c2_0 * va).Store(c + 2 * (nint)ldc + 0);
            (c2_1 * va).Store(c + 2 * (nint)ldc + 16);
            (c3_0 * va).Store(c + 3 * (nint)ldc + 0);
            (c3_1 * va).Store(c + 3 * (nint)ldc + 16);
            (c4_0 * va).Store(c + 4 * (nint)ldc + 0);
            (c4_1 * va).Store(c + 4 * (nint)ldc + 16);
            (c5_0 * va).Store(c + 5 * (nint)ldc + 0);
            (c5_1 * va).Store(c + 5 * (nint)ldc + 16);
            (c6_0 * va).Store(c + 6 * (nint)ldc + 0);
            (c6_1 * va).Store(c + 6 * (nint)ldc + 16);
            (c7_0 * va).Store(c + 7 * (nint)ldc + 0);
            (c7_1 * va).Store(c + 7 * (nint)ldc + 16);
            (c8_0 * va).Store(c + 8 * (nint)ldc + 0);
            (c8_1 * va).Store(c + 8 * (nint)ldc + 16);
            (c9_0 * va).Store(c + 9 * (nint)ldc + 0);
            (c9_1 * va).Store(c + 9 * (nint)ldc + 16);
            (c10_0 * va).Store(c + 10 * (nint)ldc + 0);
            (c10_1 * va).Store(c + 10 * (nint)ldc + 16);
            (c11_0 * va).Store(c + 11 * (nint)ldc + 0);
            (c11_1 * va).Store(c + 11 * (nint)ldc + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.FusedMultiplyAdd(c0_0, va, Vector512.Load(c + 0 * (nint)ldc + 0) * vb).Store(c + 0 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c0_1, va, Vector512.Load(c + 0 * (nint)ldc + 16) * vb).Store(c + 0 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c1_0, va, Vector512.Load(c + 1 * (nint)ldc + 0) * vb).Store(c + 1 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c1_1, va, Vector512.Load(c + 1 * (nint)ldc + 16) * vb).Store(c + 1 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c2_0, va, Vector512.Load(c + 2 * (nint)ldc + 0) * vb).Store(c + 2 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c2_1, va, Vector512.Load(c + 2 * (nint)ldc + 16) * vb).Store(c + 2 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c3_0, va, Vector512.Load(c + 3 * (nint)ldc + 0) * vb).Store(c + 3 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c3_1, va, Vector512.Load(c + 3 * (nint)ldc + 16) * vb).Store(c + 3 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c4_0, va, Vector512.Load(c + 4 * (nint)ldc + 0) * vb).Store(c + 4 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c4_1, va, Vector512.Load(c + 4 * (nint)ldc + 16) * vb).Store(c + 4 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c5_0, va, Vector512.Load(c + 5 * (nint)ldc + 0) * vb).Store(c + 5 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c5_1, va, Vector512.Load(c + 5 * (nint)ldc + 16) * vb).Store(c + 5 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c6_0, va, Vector512.Load(c + 6 * (nint)ldc + 0) * vb).Store(c + 6 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c6_1, va, Vector512.Load(c + 6 * (nint)ldc + 16) * vb).Store(c + 6 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c7_0, va, Vector512.Load(c + 7 * (nint)ldc + 0) * vb).Store(c + 7 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c7_1, va, Vector512.Load(c + 7 * (nint)ldc + 16) * vb).Store(c + 7 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c8_0, va, Vector512.Load(c + 8 * (nint)ldc + 0) * vb).Store(c + 8 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c8_1, va, Vector512.Load(c + 8 * (nint)ldc + 16) * vb).Store(c + 8 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c9_0, va, Vector512.Load(c + 9 * (nint)ldc + 0) * vb).Store(c + 9 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c9_1, va, Vector512.Load(c + 9 * (nint)ldc + 16) * vb).Store(c + 9 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c10_0, va, Vector512.Load(c + 10 * (nint)ldc + 0) * vb).Store(c + 10 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c10_1, va, Vector512.Load(c + 10 * (nint)ldc + 16) * vb).Store(c + 10 * (nint)ldc + 16);
            Vector512.FusedMultiplyAdd(c11_0, va, Vector512.Load(c + 11 * (nint)ldc + 0) * vb).Store(c + 11 * (nint)ldc + 0);
            Vector512.FusedMultiplyAdd(c11_1, va, Vector512.Load(c + 11 * (nint)ldc + 16) * vb).Store(c + 11 * (nint)ldc + 16);
        }
    }

    // This tile's MR for the shared operand sources of TilePanels.
    private struct Rows : TilePanels.ITileRows { public static int MR => MicrokernelAvx512.MR; }
}
