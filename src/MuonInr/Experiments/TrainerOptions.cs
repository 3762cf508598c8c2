namespace MuonInr.Experiments;

/// <summary>Settings of the training loop.</summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer steps (each a full-batch step over every chunk).</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Evaluate metrics (and record a metrics row) every this many steps; the last step is always evaluated.</summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>Record rank diagnostics every this many steps (0 = only at start and end).</summary>
    public int RankEvery { get; init; } = 50;

    /// <summary>Save a checkpoint every this many steps into the run directory (0 = never).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Checks the values, with messages naming the wrong one.</summary>
    public void Validate()
    {
        if (Steps < 0) throw new ArgumentOutOfRangeException(nameof(Steps), $"Steps must be non-negative, got {Steps}.");
        if (EvalEvery <= 0) throw new ArgumentOutOfRangeException(nameof(EvalEvery), $"Evaluation interval must be positive, got {EvalEvery}.");
        if (RankEvery < 0) throw new ArgumentOutOfRangeException(nameof(RankEvery), $"Rank interval must be non-negative, got {RankEvery}.");
        if (CheckpointEvery < 0) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), $"Checkpoint interval must be non-negative, got {CheckpointEvery}.");
    }
}
