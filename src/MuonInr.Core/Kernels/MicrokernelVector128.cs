using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MuonInr.Kernels;

/// <summary>
/// Portable GEMM register tile on 128-bit vectors (SSE, NEON, …): 4 rows x 8 columns in 8 accumulators.
/// The fallback where neither AVX2 nor AVX-512 is available, and a reference for tests.
/// </summary>
internal static unsafe class MicrokernelVector128
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 4;
    /// <summary>Columns of the register tile.</summary>
    public const int NR = 8;

    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    // a: packed A micro-panel, kc steps of MR floats (column r of step p at a[p*MR + r]).
    // b: packed B micro-panel, kc steps of NR floats.
    // c: C tile (MR, NR) with row stride ldc. C = alpha*A*B + beta*C; beta == 0 never reads C.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        var c0_0 = Vector128<float>.Zero;
        var c0_1 = Vector128<float>.Zero;
        var c1_0 = Vector128<float>.Zero;
        var c1_1 = Vector128<float>.Zero;
        var c2_0 = Vector128<float>.Zero;
        var c2_1 = Vector128<float>.Zero;
        var c3_0 = Vector128<float>.Zero;
        var c3_1 = Vector128<float>.Zero;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0);
            var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]);
            c0_0 = Vector128.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector128.FusedMultiplyAdd(a0, b1, c0_1);
            var a1 = Vector128.Create(a[1]);
            c1_0 = Vector128.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector128.FusedMultiplyAdd(a1, b1, c1_1);
            var a2 = Vector128.Create(a[2]);
            c2_0 = Vector128.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector128.FusedMultiplyAdd(a2, b1, c2_1);
            var a3 = Vector128.Create(a[3]);
            c3_0 = Vector128.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector128.FusedMultiplyAdd(a3, b1, c3_1);
            a += MR;
            b += NR;
        }
        var va = Vector128.Create(alpha);
        if (beta == 0f)
        {
            (c0_0 * va).Store(c + 0 * (nint)ldc + 0);
            (c0_1 * va).Store(c + 0 * (nint)ldc + 4);
            (c1_0 * va).Store(c + 1 * (nint)ldc + 0);
            (c1_1 * va).Store(c + 1 * (nint)ldc + 4);
            (c2_0 * va).Store(c + 2 * (nint)ldc + 0);
            (c2_1 * va).Store(c + 2 * (nint)ldc + 4);
            (c3_0 * va).Store(c + 3 * (nint)ldc + 0);
            (c3_1 * va).Store(c + 3 * (nint)ldc + 4);
        }
        else
        {
            var vb = Vector128.Create(beta);
            Vector128.FusedMultiplyAdd(c0_0, va, Vector128.Load(c + 0 * (nint)ldc + 0) * vb).Store(c + 0 * (nint)ldc + 0);
            Vector128.FusedMultiplyAdd(c0_1, va, Vector128.Load(c + 0 * (nint)ldc + 4) * vb).Store(c + 0 * (nint)ldc + 4);
            Vector128.FusedMultiplyAdd(c1_0, va, Vector128.Load(c + 1 * (nint)ldc + 0) * vb).Store(c + 1 * (nint)ldc + 0);
            Vector128.FusedMultiplyAdd(c1_1, va, Vector128.Load(c + 1 * (nint)ldc + 4) * vb).Store(c + 1 * (nint)ldc + 4);
            Vector128.FusedMultiplyAdd(c2_0, va, Vector128.Load(c + 2 * (nint)ldc + 0) * vb).Store(c + 2 * (nint)ldc + 0);
            Vector128.FusedMultiplyAdd(c2_1, va, Vector128.Load(c + 2 * (nint)ldc + 4) * vb).Store(c + 2 * (nint)ldc + 4);
            Vector128.FusedMultiplyAdd(c3_0, va, Vector128.Load(c + 3 * (nint)ldc + 0) * vb).Store(c + 3 * (nint)ldc + 0);
            Vector128.FusedMultiplyAdd(c3_1, va, Vector128.Load(c + 3 * (nint)ldc + 4) * vb).Store(c + 3 * (nint)ldc + 4);
        }
    }
}
