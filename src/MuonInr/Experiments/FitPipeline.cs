using MuonInr.Fields;
using MuonInr.Tasks;
using MuonInr.Tensors;

namespace MuonInr.Experiments;

/// <summary>How a run is driven: progress, a stop request, resume, and the run directory to open once every input is valid.</summary>
public sealed record FitHooks
{
    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }
    /// <summary>Asked after every step; true stops cleanly at that step boundary.</summary>
    public Func<bool>? ShouldStop { get; init; }
    /// <summary>Run directory whose checkpoint to continue from, or null.</summary>
    public string? ResumeFrom { get; init; }
    /// <summary>
    /// Opens the run directory; called only after the data was loaded and the model and optimizer built
    /// (so bad input never leaves a directory behind). Null: no directory (nothing written).
    /// </summary>
    public Func<RunDirectory>? OpenDirectory { get; init; }
}

/// <summary>
/// The one fit pipeline of every task (ARCHITECTURE data flow): resolved RunSpec → task.Prepare (data
/// loaded and validated) → memory check → model → run directory (config.json) → FitSession → final
/// metrics → metrics.csv, ranks.csv, summary.json. Task files and report.html are written by the
/// reports layer (<c>MuonInr.Reports.Runs</c>).
/// </summary>
public static class FitPipeline
{
    /// <summary>
    /// Runs a resolved spec. The directory (if <see cref="FitHooks.OpenDirectory"/> opened one) stays open
    /// for the caller, who writes the report, disposes it, or abandons it when this throws.
    /// </summary>
    public static FitResult Run(RunSpec spec, FitHooks hooks)
    {
        RunDirectory? directory = null;
        var task = TaskRegistry.Get(spec.Task);
        RunSpecResolver.Validate(spec, task);
        var problem = task.Prepare(RunSpecResolver.Context(spec));
        try
        {
            MemoryBudget.Check(spec, problem);
            using var model = Architectures.Create(spec.Model, problem.InFeatures, problem.OutFeatures, new Rng(spec.Seed!.Value));
            if (hooks.OpenDirectory is not null)
            {
                directory = hooks.OpenDirectory();
                directory.WriteText("config.json", RunSpecJson.Serialize(spec));
            }
            var fit = FitSession.Run(model, problem, spec, new SessionHooks
            {
                Progress = hooks.Progress, ShouldStop = hooks.ShouldStop, CheckpointDir = directory?.Path, ResumeFrom = hooks.ResumeFrom,
            });
            var prediction = new float[problem.EvaluationCoordinates.Dim(0) * problem.OutFeatures];
            ChunkedPrediction.Predict(model, problem.EvaluationCoordinates, spec.Chunk!.Value, prediction);
            var summary = new RunSummary
            {
                Status = fit.Status,
                Task = task.Name,
                Model = spec.Model.Name!,
                Optimizer = spec.Optimizer.Name!,
                Lr = spec.Optimizer.Lr!.Value,
                MuonLr = spec.Optimizer.MuonLr,
                Steps = fit.StepsDone,
                StepsPlanned = spec.Steps!.Value,
                Metrics = ToValues(problem.Metrics(prediction)),
                Baseline = problem.Baseline is { } b ? new BaselineSummary(b.Name, ToValues(b.Metrics)) : null,
                SecondsPerStep = fit.SecondsPerStep,
                FinalLoss = fit.History.Metrics.LastOrDefault(r => r.Step > 0) is { } last && double.IsFinite(last.Loss) ? last.Loss : null,
                StableRanks = fit.FinalStableRanks,
                InitialStableRanks = fit.InitialStableRanks,
                Parameters = model.ParameterCount(),
                Signal = problem.SignalDescription,
                Gemm = MuonInr.Kernels.Gemm.Provider.Name,
                Routing = fit.Routing,
                Stopped = fit.Stopped,
            };
            if (directory is not null)
            {
                directory.WriteMetrics(fit.History);
                directory.WriteRanks(fit.History);
                directory.WriteJson("summary.json", summary);
            }
            return new FitResult { Spec = spec, Summary = summary, History = fit.History, Problem = problem, Prediction = prediction };
        }
        catch
        {
            problem.Dispose();
            throw;
        }
    }

    private static Dictionary<string, MetricValue> ToValues(IReadOnlyList<TaskMetric> metrics)
        => metrics.ToDictionary(m => m.Name, m => MetricValue.From(m.Value, m.Unit, m.Convention));
}
