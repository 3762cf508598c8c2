using MuonInr.Fields;

namespace MuonInr.Experiments;

/// <summary>Everything that defines an audio-fitting run (written to config.json).</summary>
public sealed record AudioFitOptions
{
    /// <summary>WAV file to fit; null fits the generated test signal.</summary>
    public string? AudioPath { get; init; }
    /// <summary>Start of the segment to fit, in seconds.</summary>
    public double StartSeconds { get; init; }
    /// <summary>Length of the segment in seconds; null = to the end of the clip.</summary>
    public double? Seconds { get; init; }
    /// <summary>
    /// s of the time coordinates linspace(−s, s) over the whole clip; null = the architecture's default
    /// (<see cref="DefaultTimeScale"/>).
    /// </summary>
    public double? TimeScale { get; init; }
    /// <summary>Architecture name (paper audio default: siren).</summary>
    public string Model { get; init; } = "siren";
    /// <summary>Architecture overrides (paper audio defaults: 5 layers x 256, ω 30).</summary>
    public FieldOptions Field { get; init; } = new();
    /// <summary>Optimizer and schedule (paper: Adam 1e-4; Muon 1e-3 with auxiliary Adam 1e-4; cosine).</summary>
    public OptimizerOptions Optimizer { get; init; } = new() { LearningRate = 1e-4, MuonLearningRate = 1e-3 };
    /// <summary>Training steps (paper 5000).</summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Inpainting: train on this seeded fraction of the samples and report SNR on the rest; null = all.</summary>
    public double? InpaintFraction { get; init; }
    /// <summary>Seed of initialisation and sampling.</summary>
    public ulong Seed { get; init; }
    /// <summary>Rows per gradient chunk (0 = every sample at once).</summary>
    public int Chunk { get; init; }
    /// <summary>Evaluate every this many steps.</summary>
    public int EvalEvery { get; init; } = 50;
    /// <summary>Record stable ranks every this many steps.</summary>
    public int RankEvery { get; init; } = 50;
    /// <summary>Save a checkpoint every this many steps and at the end; 0 = never.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>
    /// PAPER.md: time coordinates span ±100 for sine-based networks (siren, finer, wire, wire-real), whose
    /// first-layer frequencies are scaled for it; ±1 (the image convention) for the others.
    /// </summary>
    public static double DefaultTimeScale(string model) => model is "siren" or "finer" or "wire" or "wire-real" ? 100 : 1;
}
