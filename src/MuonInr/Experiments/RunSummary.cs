using System.Text.Json.Serialization;

namespace MuonInr.Experiments;

/// <summary>A metric value and how it was computed; the value is null when it was not finite, with the reason.</summary>
/// <param name="Value">The value, or null.</param>
/// <param name="Unit">"dB" or "".</param>
/// <param name="Convention">How it was computed.</param>
/// <param name="Note">Why the value is null (NaN, infinite, not computable), or null.</param>
public sealed record MetricValue([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value, string Unit, string Convention, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note = null)
{
    /// <summary>A metric from a raw double: non-finite values become null with a note.</summary>
    public static MetricValue From(double v, string unit, string convention, string? whyNaN = null) => double.IsFinite(v)
        ? new(v, unit, convention)
        : new(null, unit, convention, double.IsNaN(v) ? whyNaN ?? "not a number (nothing to compare, or a non-finite prediction)" : $"{(v > 0 ? "+" : "−")}infinite (an exact fit of a non-zero signal, or a zero signal)");
}

/// <summary>The final numbers of a run (summary.json), for every task alike.</summary>
public sealed record RunSummary
{
    /// <summary>completed, interrupted (a signal stopped it; resumable) or diverged (non-finite loss).</summary>
    public required string Status { get; init; }
    /// <summary>Task name.</summary>
    public required string Task { get; init; }
    /// <summary>Architecture.</summary>
    public required string Model { get; init; }
    /// <summary>Optimizer name.</summary>
    public required string Optimizer { get; init; }
    /// <summary>Learning rate of the optimizer (under Muon: of its auxiliary Adam).</summary>
    public double Lr { get; init; }
    /// <summary>Muon's learning rate (null for other optimizers).</summary>
    public double? MuonLr { get; init; }
    /// <summary>Steps completed.</summary>
    public int Steps { get; init; }
    /// <summary>Steps planned.</summary>
    public int StepsPlanned { get; init; }
    /// <summary>The task's final metrics by name (the first is the one followed during training), each with its convention.</summary>
    public required Dictionary<string, MetricValue> Metrics { get; init; }
    /// <summary>The task's classical baseline (FBP, bicubic) and its metrics, or null.</summary>
    public BaselineSummary? Baseline { get; init; }
    /// <summary>
    /// Training loss of the last step (of that step's batch, for tasks that draw one per step), or null
    /// (no step was taken; summaries written before it existed). A sweep can select by it (<c>metric: loss</c>).
    /// </summary>
    public double? FinalLoss { get; init; }
    /// <summary>Training seconds per step (evaluation excluded).</summary>
    public double SecondsPerStep { get; init; }
    /// <summary>Final stable rank of every weight matrix, input to output.</summary>
    public double[] StableRanks { get; init; } = [];
    /// <summary>Stable ranks at initialisation (a resumed run carries them over from its checkpoint).</summary>
    public double[] InitialStableRanks { get; init; } = [];
    /// <summary>Parameters of the model.</summary>
    public long Parameters { get; init; }
    /// <summary>The signal in words.</summary>
    public string Signal { get; init; } = "";
    /// <summary>GEMM provider used.</summary>
    public string Gemm { get; init; } = "";
    /// <summary>Which parameters went to Muon (empty otherwise).</summary>
    public string Routing { get; init; } = "";
    /// <summary>Why training stopped early, or null.</summary>
    public string? Stopped { get; init; }
    /// <summary>MuonInr version.</summary>
    public string MuoninrVersion { get; init; } = RunSpec.CurrentVersion;

    /// <summary>The value of metric <paramref name="name"/>, or null.</summary>
    public double? Metric(string name) => name == "loss" ? FinalLoss : Metrics.TryGetValue(name, out var m) ? m.Value : null;
}

/// <summary>A classical baseline of a task with its metrics.</summary>
/// <param name="Name">What it is ("filtered back-projection", "bicubic x4 upsampling").</param>
/// <param name="Metrics">Its metrics.</param>
public sealed record BaselineSummary(string Name, Dictionary<string, MetricValue> Metrics);
