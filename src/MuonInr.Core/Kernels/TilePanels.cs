using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// Where a GEMM register tile reads each k step's operands from (the microkernels are generic over these
/// structs, and the JIT compiles one specialised loop per combination), and what the tiles share.
/// </summary>
internal static unsafe class TilePanels
{
    /// <summary>Step p's MR values of op(A), then the next step.</summary>
    public interface IStepA { float* Step(); }

    /// <summary>Requests the lines of a C tile (<paramref name="rows"/> x <paramref name="cols"/>, row stride ldc) into L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PrefetchRows(float* c, int ldc, int rows, int cols)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j += 16)
            {
                Sse.Prefetch0(c + r * (nint)ldc + j);
                if (j + 16 >= cols) Sse.Prefetch0(c + r * (nint)ldc + cols - 1);
            }
    }
}
