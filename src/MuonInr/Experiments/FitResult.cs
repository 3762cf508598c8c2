using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>A finished run: its resolved spec, summary, history, the task's problem and the final prediction.</summary>
public sealed class FitResult : IDisposable
{
    /// <summary>The resolved RunSpec (config.json).</summary>
    public required RunSpec Spec { get; init; }
    /// <summary>Final numbers (summary.json).</summary>
    public required RunSummary Summary { get; init; }
    /// <summary>Metrics and ranks over time.</summary>
    public required TrainingHistory History { get; init; }
    /// <summary>The task's data and metrics (for artifacts and comparisons).</summary>
    public required FitProblem Problem { get; init; }
    /// <summary>The model's output on the evaluation coordinates [rows, channels], unclamped.</summary>
    public required float[] Prediction { get; init; }

    /// <summary>Releases the problem.</summary>
    public void Dispose() => Problem.Dispose();
}
