using System.Diagnostics;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using MuonInr.Kernels;
using MuonInr.Tensors;
using System.Numerics.Tensors;

namespace MuonInr.Bench;

/// <summary>
/// The INR activation kernels on one protocol-B layer (98,304 points x 128 features; the complex Gabor
/// on 98,304 x 64 complex features, so z and y also hold 98,304 x 128 floats): the fused FastTrig kernels
/// (<see cref="InrActivationKernels"/>) against the earlier TensorPrimitives passes
/// (<see cref="TensorPrimitivesActivationKernels"/>), at 1 and 2 threads.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ActivationBenchmarks
{
    private ActivationData _d = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        WorkerPool.Degree = Threads;
        _d = new ActivationData();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("SineForward")] public void SineForwardTP() => _d.Old("SineForward");
    [Benchmark, BenchmarkCategory("SineForward")] public void SineForwardFast() => _d.New("SineForward");
    [Benchmark(Baseline = true), BenchmarkCategory("SineBackward")] public void SineBackwardTP() => _d.Old("SineBackward");
    [Benchmark, BenchmarkCategory("SineBackward")] public void SineBackwardFast() => _d.New("SineBackward");
    [Benchmark(Baseline = true), BenchmarkCategory("FinerForward")] public void FinerForwardTP() => _d.Old("FinerForward");
    [Benchmark, BenchmarkCategory("FinerForward")] public void FinerForwardFast() => _d.New("FinerForward");
    [Benchmark(Baseline = true), BenchmarkCategory("FinerBackward")] public void FinerBackwardTP() => _d.Old("FinerBackward");
    [Benchmark, BenchmarkCategory("FinerBackward")] public void FinerBackwardFast() => _d.New("FinerBackward");
    [Benchmark(Baseline = true), BenchmarkCategory("ComplexGaborForward")] public void ComplexGaborForwardTP() => _d.Old("ComplexGaborForward");
    [Benchmark, BenchmarkCategory("ComplexGaborForward")] public void ComplexGaborForwardFast() => _d.New("ComplexGaborForward");
}

/// <summary>Operands of one layer and the old/new calls of each kernel by name.</summary>
internal sealed class ActivationData
{
    public const int Rows = 98_304, Features = 128, ComplexFeatures = 64;
    public const float Omega = 30f, Sigma = 10f, GaussA = 0.1f;
    private readonly float[] _x, _y, _gy, _gx, _z, _zy, _zgy, _zgx;

    public static readonly string[] Kernels =
    [
        "SineForward", "SineBackward", "FinerForward", "FinerBackward", "GaussianForward",
        "RealGaborForward", "RealGaborBackward", "ComplexGaborForward", "ComplexGaborBackward",
    ];

    public ActivationData()
    {
        var rng = new Rng(42);
        int n = Rows * Features;
        _x = new float[n]; rng.FillUniform(_x, -1f, 1f);
        _gy = new float[n]; rng.FillUniform(_gy, -1f, 1f);
        _y = new float[n]; _gx = new float[n];
        InrActivationKernels.RealGaborForward(_x, _y, Omega, Sigma);
        int zn = Rows * 2 * ComplexFeatures;
        _z = new float[zn]; rng.FillUniform(_z, -0.3f, 0.3f);
        _zy = new float[zn]; _zgy = new float[zn]; rng.FillUniform(_zgy, -1f, 1f); _zgx = new float[zn];
        InrActivationKernels.ComplexGaborForward(_z, _zy, Rows, ComplexFeatures, Omega, Sigma, realInput: false);
    }

    /// <summary>y = ω x with TensorPrimitives: one read and one write, the floor of a forward kernel.</summary>
    public void MemoryFloor() => TensorPrimitives.Multiply(_x, Omega, _gx);

    public void Old(string kernel)
    {
        switch (kernel)
        {
            case "SineForward": TensorPrimitivesActivationKernels.SineForward(_x, _gx, Omega); break;
            case "SineBackward": TensorPrimitivesActivationKernels.SineBackward(_x, _gy, _gx, Omega, accumulate: false); break;
            case "FinerForward": TensorPrimitivesActivationKernels.FinerForward(_x, _gx, Omega); break;
            case "FinerBackward": TensorPrimitivesActivationKernels.FinerBackward(_x, _gy, _gx, Omega, accumulate: false); break;
            case "GaussianForward": TensorPrimitivesActivationKernels.GaussianForward(_x, _gx, GaussA); break;
            case "RealGaborForward": TensorPrimitivesActivationKernels.RealGaborForward(_x, _gx, Omega, Sigma); break;
            case "RealGaborBackward": TensorPrimitivesActivationKernels.RealGaborBackward(_x, _y, _gy, _gx, Omega, Sigma, accumulate: false); break;
            case "ComplexGaborForward": TensorPrimitivesActivationKernels.ComplexGaborForward(_z, _zgx, Rows, ComplexFeatures, Omega, Sigma, realInput: false); break;
            case "ComplexGaborBackward": TensorPrimitivesActivationKernels.ComplexGaborBackward(_z, _zy, _zgy, _zgx, Rows, ComplexFeatures, Omega, Sigma, realInput: false, accumulate: false); break;
            default: throw new ArgumentException(kernel);
        }
    }

    public void New(string kernel)
    {
        switch (kernel)
        {
            case "SineForward": InrActivationKernels.SineForward(_x, _gx, Omega); break;
            case "SineBackward": InrActivationKernels.SineBackward(_x, _gy, _gx, Omega, accumulate: false); break;
            case "FinerForward": InrActivationKernels.FinerForward(_x, _gx, Omega); break;
            case "FinerBackward": InrActivationKernels.FinerBackward(_x, _gy, _gx, Omega, accumulate: false); break;
            case "GaussianForward": InrActivationKernels.GaussianForward(_x, _gx, GaussA); break;
            case "RealGaborForward": InrActivationKernels.RealGaborForward(_x, _gx, Omega, Sigma); break;
            case "RealGaborBackward": InrActivationKernels.RealGaborBackward(_x, _y, _gy, _gx, Omega, Sigma, accumulate: false); break;
            case "ComplexGaborForward": InrActivationKernels.ComplexGaborForward(_z, _zgx, Rows, ComplexFeatures, Omega, Sigma, realInput: false); break;
            case "ComplexGaborBackward": InrActivationKernels.ComplexGaborBackward(_z, _zy, _zgy, _zgx, Rows, ComplexFeatures, Omega, Sigma, realInput: false, accumulate: false); break;
            default: throw new ArgumentException(kernel);
        }
    }
}

/// <summary>
/// Quick back-to-back ratios for a noisy machine: <c>dotnet run -c Release --project bench/MuonInr.Bench --
/// --activation-ratios [reps]</c>. For each thread count and kernel, alternates old and new calls
/// <c>reps</c> times (each sample the mean of 3 calls) and prints the medians and the median of the
/// per-round new/old ratios. ComplexGaborBackward has no transcendental and the same code in both, so its
/// ratio shows the noise floor.
/// </summary>
internal static class ActivationRatios
{
    public static void Run(int reps)
    {
        string isa = Vector512.IsHardwareAccelerated ? "Vector512 (AVX-512)" : Vector256.IsHardwareAccelerated ? "Vector256 (AVX2)" : "Vector128";
        Console.WriteLine($"FastTrig path: {isa}; {ActivationData.Rows} x {ActivationData.Features} floats; {reps} alternating rounds of 3 calls each");
        var d = new ActivationData();
        foreach (int threads in new[] { 1, 2 })
        {
            WorkerPool.Degree = threads;
            Console.WriteLine($"threads = {threads}");
            Console.WriteLine($"  {"kernel",-22} {"old ms",9} {"new ms",9} {"new/old",8}");
            var floor = new double[reps];
            for (int r = 0; r < reps; r++) floor[r] = Time(d.MemoryFloor);
            Console.WriteLine($"  {"(x*w -> y, TP.Multiply)",-22} {Median(floor),9:F2}   one read + one write: the memory floor of a forward kernel");
            foreach (string k in ActivationData.Kernels)
            {
                d.Old(k); d.New(k); d.Old(k); d.New(k);   // warm up (JIT tiers, page faults)
                var olds = new double[reps]; var news = new double[reps]; var ratios = new double[reps];
                for (int r = 0; r < reps; r++)
                {
                    olds[r] = Time(() => d.Old(k));
                    news[r] = Time(() => d.New(k));
                    ratios[r] = news[r] / olds[r];
                }
                Console.WriteLine($"  {k,-22} {Median(olds),9:F2} {Median(news),9:F2} {Median(ratios),8:F3}");
            }
        }
    }

    private static double Time(Action a)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 3; i++) a();
        return sw.Elapsed.TotalMilliseconds / 3;
    }

    private static double Median(double[] v)
    {
        var s = v.OrderBy(t => t).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
