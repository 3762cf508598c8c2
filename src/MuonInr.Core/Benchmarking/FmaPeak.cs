using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MuonInr.Kernels;

namespace MuonInr.Benchmarking;

/// <summary>Result of <see cref="FmaPeak.Measure"/>.</summary>
/// <param name="Gflops">Measured single-precision peak of all threads together, GFLOP/s (an FMA counts 2 FLOP per lane).</param>
/// <param name="Threads">Threads that ran the loop at once (<see cref="WorkerPool.Degree"/>).</param>
/// <param name="VectorBits">Width of the vectors used: the widest hardware-accelerated one (512, 256 or 128).</param>
/// <param name="Accumulators">Independent accumulators per thread (enough to hide the FMA latency).</param>
public sealed record FmaPeakResult(double Gflops, int Threads, int VectorBits, int Accumulators);

/// <summary>
/// A measured (not assumed) floating-point peak of this machine: a loop of fused multiply-adds on
/// independent accumulators of the widest hardware-accelerated <see cref="Vector512{T}"/>,
/// <see cref="Vector256{T}"/> or <see cref="Vector128{T}"/>, one copy per worker thread, all threads at
/// once. It is what the cores deliver on pure register-resident FMA work (clock limits, shared FMA
/// units and SMT included), so a kernel's GFLOP/s divided by it is a fraction of what is reachable.
/// <c>DOTNET_EnableAVX512=0</c> (.NET 10; the older <c>DOTNET_EnableAVX512F</c> is ignored) makes the runtime report 512-bit vectors as not accelerated, so the loop
/// (and the whole process) runs as on an AVX2-only CPU.
/// </summary>
public static class FmaPeak
{
    /// <summary>Independent accumulators per thread.</summary>
    public const int Accumulators = 12;

    /// <summary>Width in bits of the widest hardware-accelerated vector.</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 32;

    /// <summary>
    /// Measures the peak: <paramref name="repetitions"/> runs of about <paramref name="seconds"/> each on all
    /// <see cref="WorkerPool.Degree"/> threads; the best run is reported (a peak, not a typical value).
    /// <paramref name="maxVectorBits"/> caps the vector width (256 for the peak of AVX2 code on an AVX-512 CPU).
    /// </summary>
    public static FmaPeakResult Measure(double seconds = 0.25, int repetitions = 3, int maxVectorBits = 512)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        int bits = VectorBits;
        while (bits > maxVectorBits && bits > 32) bits = bits == 128 ? 32 : bits / 2;
        int threads = WorkerPool.Degree, lanes = Math.Max(1, bits / 32);
        // Calibrate the iteration count on one thread (this also JIT-compiles the loop).
        long iterations = 1 << 14;
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            Loop(bits, iterations);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (s > 0.02 || iterations > 1L << 34) { iterations = Math.Max(1, (long)(iterations * seconds / Math.Max(s, 1e-9))); break; }
            iterations *= 4;
        }
        double best = 0;
        var sink = new float[threads];
        for (int r = 0; r < repetitions; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            WorkerPool.Run(threads, c => sink[c] = Loop(bits, iterations));
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            best = Math.Max(best, threads * (double)iterations * Accumulators * lanes * 2 / s / 1e9);
        }
        return new FmaPeakResult(best, threads, bits, Accumulators);
    }

    private static float Loop(int bits, long iterations) => bits switch
    {
        512 => Loop<Simd512>(iterations),
        256 => Loop<Simd256>(iterations),
        128 => Loop<Simd128>(iterations),
        _ => Loop<NoSimd>(iterations),
    };

    // Each accumulator: x ← x·m + a, which converges to a/(1 − m) without overflow or denormals. Written
    // once for every width: the JIT specializes it per struct, so the loop holds 12 registers of that width.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<T>(long n) where T : struct, ISimdFloat<T>
    {
        T m = T.Create(0.999f), a = T.Create(1e-3f);
        T x0 = T.Create(0.1f), x1 = x0 + a, x2 = x1 + a, x3 = x2 + a, x4 = x3 + a, x5 = x4 + a,
            x6 = x5 + a, x7 = x6 + a, x8 = x7 + a, x9 = x8 + a, x10 = x9 + a, x11 = x10 + a;
        for (long i = 0; i < n; i++)
        {
            x0 = T.FusedMultiplyAdd(x0, m, a); x1 = T.FusedMultiplyAdd(x1, m, a);
            x2 = T.FusedMultiplyAdd(x2, m, a); x3 = T.FusedMultiplyAdd(x3, m, a);
            x4 = T.FusedMultiplyAdd(x4, m, a); x5 = T.FusedMultiplyAdd(x5, m, a);
            x6 = T.FusedMultiplyAdd(x6, m, a); x7 = T.FusedMultiplyAdd(x7, m, a);
            x8 = T.FusedMultiplyAdd(x8, m, a); x9 = T.FusedMultiplyAdd(x9, m, a);
            x10 = T.FusedMultiplyAdd(x10, m, a); x11 = T.FusedMultiplyAdd(x11, m, a);
        }
        return T.Sum(x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11);
    }
}
