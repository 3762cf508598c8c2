using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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

    /// <summary>The rows of a register tile (MR), a compile-time constant of each tile's marker struct.</summary>
    public interface ITileRows { static abstract int MR { get; } }

    /// <summary>A packed micro-panel of A: the steps follow one another, MR floats apart.</summary>
    public struct PackedA<TTile>(float* a) : IStepA where TTile : struct, ITileRows
    {
        private float* _a = a;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Step()
        {
            float* s = _a;
            _a += TTile.MR;
            return s;
        }
    }

    /// <summary>
    /// A transposed A read at its source, row by row (step p's MR values are one unit-stride run, <c>ld</c> floats
    /// after step p − 1's), and copied into the packed micro-panel on the way; <c>next</c>: the offset of the
    /// next k block's rows (0: none), requested into L2 step by step.
    /// </summary>
    public struct CopyingA<TTile>(float* src, nint ld, nint next, float* dst) : IStepA where TTile : struct, ITileRows
    {
        private float* _src = src, _dst = dst;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Step()
        {
            float* s = _src;
            if (Sse.IsSupported) Sse.Prefetch1(s + next);
            // MR (< 16) floats by 8, 4, 2 and 1 (6 = 4 + 2, 12 = 8 + 4): no loop, so that the JIT folds the constant MR
            // to the moves it needs (GemmPacking.CopyFloats' loop survives in the step's code).
            int r = 0;
            if (TTile.MR >= 8) { Vector256.Store(Vector256.Load(s), _dst); r = 8; }
            if (TTile.MR - r >= 4) { Vector128.Store(Vector128.Load(s + r), _dst + r); r += 4; }
            if (TTile.MR - r >= 2) { Unsafe.WriteUnaligned(_dst + r, Unsafe.ReadUnaligned<ulong>(s + r)); r += 2; }
            if (TTile.MR - r == 1) _dst[r] = s[r];
            _src += ld; _dst += TTile.MR;
            return s;
        }
    }

    /// <summary>Step p's NR = 2 vectors of op(B), then the next step.</summary>
    public interface IStepB<TVec> where TVec : struct, ISimdFloat<TVec> { void Step(out TVec b0, out TVec b1); }

    /// <summary>A packed micro-panel of B: the steps follow one another, NR = 2 vectors apart.</summary>
    public struct PackedB<TVec>(float* b) : IStepB<TVec> where TVec : struct, ISimdFloat<TVec>
    {
        private float* _b = b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(out TVec b0, out TVec b1)
        {
            b0 = TVec.Load(_b); b1 = TVec.Load(_b + TVec.Count);
            _b += 2 * TVec.Count;
        }
    }

    /// <summary>
    /// B not transposed, read at its source row by row (step p's NR values are one unit-stride run, <c>ld</c>
    /// floats after step p − 1's) and stored into the packed micro-panel on the way; <c>next</c> as for
    /// <see cref="CopyingA{TTile}"/>.
    /// </summary>
    public struct CopyingB<TVec>(float* src, nint ld, nint next, float* dst) : IStepB<TVec> where TVec : struct, ISimdFloat<TVec>
    {
        private float* _src = src, _dst = dst;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(out TVec b0, out TVec b1)
        {
            if (Sse.IsSupported)
            {
                // NR floats span two lines unless the row is 64-byte aligned.
                Sse.Prefetch1(_src + next);
                Sse.Prefetch1(_src + next + 2 * TVec.Count - 1);
            }
            b0 = TVec.Load(_src); b1 = TVec.Load(_src + TVec.Count);
            TVec.Store(_dst, b0); TVec.Store(_dst + TVec.Count, b1);
            _src += ld; _dst += 2 * TVec.Count;
        }
    }

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
