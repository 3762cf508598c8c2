using System.Diagnostics;
using MuonInr.Kernels;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Benchmarking;

/// <summary>Result of <see cref="TrainingStepBenchmark.Run"/>.</summary>
/// <param name="Provider">GEMM provider used.</param>
/// <param name="Points">Batch size (coordinates per step).</param>
/// <param name="Seconds">Median seconds of one step (forward, MSE, backward).</param>
/// <param name="Gflop">GFLOP of the step's GEMMs.</param>
/// <param name="GemmSeconds">Median seconds of the same GEMM calls replayed alone.</param>
/// <param name="AllocatedBytes">Managed bytes allocated per step in steady state (all threads).</param>
/// <param name="GemmCalls">The step's GEMM calls.</param>
public sealed record TrainingStepResult(string Provider, int Points, double Seconds, double Gflop, double GemmSeconds,
    double AllocatedBytes, IReadOnlyList<GemmCall> GemmCalls)
{
    /// <summary>Achieved GFLOP/s of the whole step.</summary>
    public double Gflops => Gflop / Seconds;

    /// <summary>Step time over GEMM-only time (1.0 = no overhead outside GEMM).</summary>
    public double OverheadRatio => Seconds / GemmSeconds;
}

/// <summary>
/// Times one full training step (forward, MSE loss, backward) of a ReLU MLP as in protocol A of
/// PAPER.md: 2 → hidden ×(layers−2) → 3, on <c>points</c> coordinates; and the same step's GEMMs replayed
/// alone on the same provider, so the ratio shows what the non-GEMM work costs.
/// </summary>
public static class TrainingStepBenchmark
{
    /// <summary>Runs the benchmark with the current <see cref="Gemm.Provider"/>.</summary>
    /// <param name="points">Coordinates per step.</param>
    /// <param name="hidden">Hidden width.</param>
    /// <param name="layers">Linear layers.</param>
    /// <param name="repetitions">Timed steps (the median is reported).</param>
    /// <param name="warmup">Untimed steps first (JIT tiering, pool warm-up).</param>
    /// <param name="optimizer">When given, every step also applies this optimizer's update (built over the model).</param>
    public static TrainingStepResult Run(int points = 24_576, int hidden = 256, int layers = 5, int repetitions = 7, int warmup = 8,
        Func<Module, MuonInr.Optim.Optimizer>? optimizer = null)
    {
        if (layers < 2) throw new ArgumentOutOfRangeException(nameof(layers), $"An MLP needs at least 2 layers, got {layers}.");
        var rng = new Rng(0);
        var modules = new List<Module>();
        for (int i = 0; i < layers; i++)
        {
            int inF = i == 0 ? 2 : hidden, outF = i == layers - 1 ? 3 : hidden;
            modules.Add(new Linear(inF, outF, rng));
            if (i < layers - 1) modules.Add(new ReLU());
        }
        using var model = new Sequential([.. modules]);
        using var coords = Tensor.Uniform(rng, -1f, 1f, points, 2).Escape();
        using var target = Tensor.Uniform(rng, 0f, 1f, points, 3).Escape();

        var opt = optimizer?.Invoke(model);
        void Step()
        {
            using var scope = new TensorScope();
            model.ZeroGrad();
            var loss = Ops.MseLoss(model.Forward(coords), target);
            loss.Backward();
            if (opt is not null) using (MuonInr.Autograd.GradMode.NoGrad()) opt.Step();
        }

        var provider = Gemm.Provider;
        var recorder = new RecordingGemm(provider);
        Gemm.Provider = recorder;
        var saved = model.Parameters().Select(p => p.ToArray()).ToList();
        try { Step(); }
        finally { Gemm.Provider = provider; }
        // The recorded step may have updated the weights; start the timed steps from the same state.
        foreach (var (p, w) in model.Parameters().Zip(saved)) w.CopyTo(p.Span);
        var calls = recorder.Calls.ToList();
        double flops = calls.Sum(c => c.Flops);

        for (int i = 0; i < warmup; i++) Step();
        var times = new double[repetitions];
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int r = 0; r < repetitions; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Step();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        double allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / (double)repetitions;
        double gemmSeconds = ReplayGemms(provider, calls, repetitions, warmup);
        model.ZeroGrad();
        return new TrainingStepResult(provider.Name, points, Median(times), flops / 1e9, gemmSeconds, allocated, calls);
    }

    /// <summary>Median time of replaying <paramref name="calls"/> on scratch buffers of the same sizes.</summary>
    public static double ReplayGemms(IGemmProvider provider, IReadOnlyList<GemmCall> calls, int repetitions = 7, int warmup = 1)
    {
        var buffers = calls.Select(c =>
        {
            int aLen = (c.TransA ? c.K : c.M) * c.Lda, bLen = (c.TransB ? c.N : c.K) * c.Ldb, cLen = c.M * c.Ldc;
            var rng = new Rng(1);
            var a = new float[aLen]; var b = new float[bLen]; var cc = new float[cLen];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
            return (a, b, cc);
        }).ToList();
        void Replay()
        {
            for (int i = 0; i < calls.Count; i++)
            {
                var c = calls[i]; var (a, b, cc) = buffers[i];
                provider.Sgemm(c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, c.Lda, b, c.Ldb, c.Beta, cc, c.Ldc);
            }
        }
        for (int i = 0; i < warmup; i++) Replay();
        var times = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Replay();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        return Median(times);
    }

    private static double Median(double[] xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
