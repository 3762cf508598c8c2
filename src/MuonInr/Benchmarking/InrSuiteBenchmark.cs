using System.Diagnostics;
using MuonInr.Autograd;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Kernels;
using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Benchmarking;

/// <summary>One (architecture, optimizer) case of the INR suite: the run exactly as <c>muoninr fit image</c> resolves it.</summary>
/// <param name="Model">Architecture name.</param>
/// <param name="Optimizer"><c>adam</c> or <c>muon</c>.</param>
/// <param name="Spec">The resolved RunSpec (image-task presets, hidden width overridden).</param>
public sealed record InrBenchCase(string Model, string Optimizer, RunSpec Spec);

/// <summary>One measured case of <see cref="InrSuiteBenchmark"/>.</summary>
/// <param name="Model">Architecture name.</param>
/// <param name="Optimizer"><c>adam</c> or <c>muon</c>.</param>
/// <param name="Provider">GEMM provider that ran the step.</param>
/// <param name="Points">Coordinates per step.</param>
/// <param name="Seconds">Median seconds of one full step (forward, MSE, backward, optimizer step, schedule).</param>
/// <param name="StepSeconds">Every timed step, in order.</param>
/// <param name="GemmGflop">GFLOP of the step's GEMM calls only (2·m·n·k each, counted by <see cref="RecordingGemm"/>):
/// the forward and backward products of every Linear layer, Fourier-feature projections and, under Muon, the
/// Newton–Schulz products. Elementwise work (activations, encodings, loss, Adam) is not counted.</param>
/// <param name="GemmCalls">Number of GEMM calls in one step.</param>
/// <param name="Loss">Loss of the last step (finite when the step is sound).</param>
public sealed record InrStepMeasurement(string Model, string Optimizer, string Provider, int Points, double Seconds,
    IReadOnlyList<double> StepSeconds, double GemmGflop, int GemmCalls, double Loss)
{
    /// <summary>GEMM GFLOP per second of the whole step (<see cref="GemmGflop"/> / <see cref="Seconds"/>).</summary>
    public double Gflops => GemmGflop / Seconds;
}

/// <summary>
/// One training step of every INR architecture at protocol-B sizes (PAPER.md, CPU protocols), with Adam
/// and with Muon: the model, optimizer and schedule built from the image task's presets exactly as
/// <c>muoninr fit image --model X --optimizer adam|muon --hidden 128</c> builds them
/// (<see cref="RunSpecResolver"/>, <see cref="Architectures.Create"/>, <see cref="OptimizerFactory"/>), on the
/// image task's coordinate grid with the generated test image as target (no files needed). Each step is
/// what the trainer does: zero the gradients, forward, MSE and backward inside a <see cref="TensorScope"/>,
/// the optimizer step without autograd, the schedule step. The first step is counted (its GEMM calls
/// recorded), then <see cref="InrSuiteOptions.Warmup"/> untimed steps, then the timed steps.
/// </summary>
public static class InrSuiteBenchmark
{
    /// <summary>The image task's resolved run for <paramref name="model"/> and <paramref name="optimizer"/> at <paramref name="hidden"/>.</summary>
    public static InrBenchCase Case(string model, string optimizer, int hidden = 128, ulong seed = 0, Presets? presets = null)
    {
        var spec = RunSpecResolver.Resolve(new RunSpec
        {
            Task = "image",
            Seed = seed,
            Model = new ModelSpec { Name = model, Hidden = hidden },
            Optimizer = new OptimizerSpec { Name = optimizer },
        }, presets);
        return new InrBenchCase(model, optimizer, spec);
    }

    /// <summary>Every case of <paramref name="options"/>, model by model, optimizers in order.</summary>
    public static IReadOnlyList<InrBenchCase> Cases(InrSuiteOptions options, Presets? presets = null)
    {
        options.Validate();
        return options.Models.SelectMany(m => options.Optimizers.Select(o => Case(m, o, options.Hidden, options.Seed, presets))).ToList();
    }

    /// <summary>The target: the image task's generated test image at <paramref name="height"/> x <paramref name="width"/>, RGB.</summary>
    public static ImageSignal Target(int height, int width) => new(TestPatterns.HighFrequencyComposite(height, width), height, width, 3);

    /// <summary>Measures <paramref name="benchCase"/> with the current <see cref="Gemm.Provider"/>.</summary>
    public static InrStepMeasurement Measure(InrBenchCase benchCase, InrSuiteOptions options)
    {
        options.Validate();
        var spec = benchCase.Spec;
        var signal = Target(options.Height, options.Width);
        using var coords = signal.Coordinates();
        using var targets = signal.Targets();
        using var model = Architectures.Create(spec.Model, 2, signal.Channels, new Rng(spec.Seed!.Value));
        var opt = OptimizerFactory.Create(spec.Optimizer, model, options.TotalSteps);
        double loss = double.NaN;
        void Step()
        {
            opt.ZeroGrad();
            using (new TensorScope())
            {
                var l = Ops.MseLoss(model.Forward(coords), targets);
                l.Backward();
                loss = l.Item();
            }
            using (GradMode.NoGrad()) opt.Step();
            opt.AdvanceSchedule();
        }

        var provider = Gemm.Provider;
        var recorder = new RecordingGemm(provider);
        Gemm.Provider = recorder;
        try { Step(); }
        finally { Gemm.Provider = provider; }
        double flops = recorder.Calls.Sum(c => c.Flops);

        for (int i = 0; i < options.Warmup; i++) Step();
        var times = new double[options.Steps];
        for (int r = 0; r < times.Length; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Step();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        opt.ZeroGrad();
        return new InrStepMeasurement(benchCase.Model, benchCase.Optimizer, provider.Name, options.Points, Median(times), times,
            flops / 1e9, recorder.Calls.Count, loss);
    }

    /// <summary>Median of <paramref name="xs"/> (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
