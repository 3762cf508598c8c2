namespace MuonInr.Experiments;

/// <summary>One evaluation row of metrics.csv.</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Loss">Training loss at this step (full batch).</param>
/// <param name="Psnr">PSNR in dB of the current prediction (NaN when not evaluated).</param>
/// <param name="LearningRate">Learning rate of the first parameter group.</param>
/// <param name="ElapsedSeconds">Wall-clock seconds of training so far (evaluation excluded).</param>
public sealed record MetricRow(int Step, double Loss, double Psnr, double LearningRate, double ElapsedSeconds);

/// <summary>One layer's rank diagnostics at one step (a row of ranks.csv).</summary>
/// <param name="Step">Optimizer steps taken.</param>
/// <param name="Layer">Index of the Linear layer, input to output.</param>
/// <param name="Name">Parameter name of the layer's weight.</param>
/// <param name="StableRank">‖W‖_F² / ‖W‖₂².</param>
/// <param name="EffectiveRank">exp of the entropy of σ²/Σσ².</param>
/// <param name="SpectralNorm">Largest singular value.</param>
/// <param name="ConditionNumber">Largest over smallest singular value.</param>
public sealed record RankRow(int Step, int Layer, string Name, double StableRank, double EffectiveRank, double SpectralNorm, double ConditionNumber);

/// <summary>Everything a run records over time; written to metrics.csv and ranks.csv and drawn in report.html.</summary>
public sealed class TrainingHistory
{
    /// <summary>Metric rows in step order.</summary>
    public List<MetricRow> Metrics { get; } = [];

    /// <summary>What the quality column of <see cref="Metrics"/> holds: "psnr" (images, CT, SISR) or "snr" (audio), both in dB.</summary>
    public string MetricName { get; set; } = "psnr";

    /// <summary>Rank rows in step order, every layer per evaluated step.</summary>
    public List<RankRow> Ranks { get; } = [];

    /// <summary>Final singular values per layer (descending), for the spectra chart.</summary>
    public List<(string Name, double[] SingularValues)> FinalSpectra { get; } = [];
}
