using MuonInr.Fields;

namespace MuonInr.Benchmarking;

/// <summary>
/// Sizes and repetitions of <see cref="InrSuiteBenchmark"/>. The defaults are protocol B of PAPER.md:
/// a 384x256 RGB image (98,304 points, 2 inputs, 3 outputs), hidden width 128, every architecture with
/// its image-task defaults (layers, encodings, ω, learning rates) from the presets table.
/// </summary>
public sealed record InrSuiteOptions
{
    /// <summary>Image width (points = width · height).</summary>
    public int Width { get; init; } = 384;
    /// <summary>Image height.</summary>
    public int Height { get; init; } = 256;
    /// <summary>Hidden width (the only model hyperparameter set here; everything else comes from the presets).</summary>
    public int Hidden { get; init; } = 128;
    /// <summary>Timed steps per (model, optimizer); the median is reported.</summary>
    public int Steps { get; init; } = 10;
    /// <summary>Untimed steps first (≥ 10 in a real measurement: optimizer code starts in tier-0 JIT).</summary>
    public int Warmup { get; init; } = 10;
    /// <summary>Architectures to run, in order (default: all nine of <see cref="Architectures.All"/>).</summary>
    public IReadOnlyList<string> Models { get; init; } = Architectures.All.Select(a => a.Name).ToArray();
    /// <summary>Optimizers to run per architecture: <c>adam</c> and <c>muon</c> (Muon with the auxiliary Adam).</summary>
    public IReadOnlyList<string> Optimizers { get; init; } = ["adam", "muon"];
    /// <summary>Seed of the initialisation (the image task's default is 0).</summary>
    public ulong Seed { get; init; }

    /// <summary>Coordinates per step.</summary>
    public int Points => Width * Height;

    /// <summary>Steps the learning-rate schedule is built for: one counted step, the warm-up and the timed steps.</summary>
    public int TotalSteps => 1 + Warmup + Steps;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Width < 1 || Height < 1) throw new ArgumentException($"The image must be at least 1x1, got {Width}x{Height}.");
        if (Hidden < 1) throw new ArgumentException($"hidden must be positive, got {Hidden}.");
        if (Steps < 1) throw new ArgumentException($"steps must be at least 1, got {Steps}.");
        if (Warmup < 0) throw new ArgumentException($"warmup must be ≥ 0, got {Warmup}.");
        if (Models.Count == 0) throw new ArgumentException("No model to benchmark.");
        foreach (var m in Models) if (!Architectures.Exists(m)) throw Architectures.UnknownModel(m);
        foreach (var o in Optimizers)
            if (o is not ("adam" or "muon")) throw new ArgumentException($"The INR suite runs adam and muon, got '{o}'.");
    }
}
