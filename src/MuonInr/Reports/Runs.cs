using MuonInr.Experiments;

namespace MuonInr.Reports;

/// <summary>Where and how a run writes: its directory (or none), overwriting, progress, a stop request, resume.</summary>
public sealed record RunOptions
{
    /// <summary>Run directory to create; null = write nothing (library use, tests).</summary>
    public string? OutDir { get; init; }
    /// <summary>Empty and reuse an existing non-empty directory.</summary>
    public bool Overwrite { get; init; }
    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }
    /// <summary>Asked after every step; true stops cleanly (the run keeps what it has and a checkpoint).</summary>
    public Func<bool>? ShouldStop { get; init; }
    /// <summary>Run directory to continue from, or null.</summary>
    public string? ResumeFrom { get; init; }
}

/// <summary>
/// The library entry point of MuonInr runs: resolve a RunSpec against the presets, validate the inputs,
/// open the run directory as a transaction, train, and write every file (config.json, metrics.csv,
/// ranks.csv, summary.json, the task's files, report.html). A run that fails before producing anything
/// leaves nothing behind; an interrupted or diverged run keeps what it has.
/// </summary>
public static class Runs
{
    /// <summary>Resolves (if needed) and runs <paramref name="spec"/>.</summary>
    public static FitResult Fit(RunSpec spec, RunOptions? options = null, Presets? presets = null)
    {
        options ??= new RunOptions();
        var resolved = RunSpecResolver.Resolve(spec, presets);
        RunDirectory? dir = null;
        FitResult result;
        try
        {
            result = FitPipeline.Run(resolved, new FitHooks
            {
                Progress = options.Progress, ShouldStop = options.ShouldStop, ResumeFrom = options.ResumeFrom,
                OpenDirectory = options.OutDir is null ? null : () => dir = RunDirectory.Open(options.OutDir, options.Overwrite),
            });
        }
        catch
        {
            dir?.Abandon();
            throw;
        }
        if (dir is not null)
        {
            using (dir) RunReport.WriteRun(dir, result);
        }
        return result;
    }

    /// <summary>
    /// Runs several specs of one task and data and writes each run into its own subdirectory plus the
    /// side-by-side comparison into <paramref name="outDir"/>. Labels must be distinct (they name the subdirectories).
    /// </summary>
    public static IReadOnlyList<(string Label, FitResult Result)> Compare(IReadOnlyList<(string Label, RunSpec Spec)> specs, string? outDir,
        bool overwrite = false, Func<string, Action<TrainingProgress>?>? progress = null, Func<bool>? shouldStop = null, Presets? presets = null)
    {
        var dup = specs.GroupBy(s => s.Label).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Two runs of the comparison are both labelled '{dup.Key}'; each needs its own label (its subdirectory).");
        var resolved = specs.Select(s => (s.Label, Spec: RunSpecResolver.Resolve(s.Spec, presets))).ToList();
        if (resolved.Select(s => (s.Spec.Task, s.Spec.Data)).Distinct().Count() > 1)
            throw new ArgumentException("A comparison needs runs of one task on one data source.");
        var dir = outDir is null ? null : RunDirectory.Open(outDir, overwrite);
        var results = new List<(string, FitResult)>();
        try
        {
            foreach (var (label, spec) in resolved)
            {
                if (shouldStop?.Invoke() == true) break;
                var sub = dir is null ? null : Path.Combine(dir.Path, label);
                RunDirectory? subDir = null;
                FitResult r;
                try
                {
                    r = FitPipeline.Run(spec, new FitHooks
                    {
                        Progress = progress?.Invoke(label), ShouldStop = shouldStop,
                        OpenDirectory = sub is null ? null : () => subDir = RunDirectory.Open(sub),
                    });
                }
                catch
                {
                    subDir?.Abandon();
                    throw;
                }
                if (subDir is not null) using (subDir) RunReport.WriteRun(subDir, r);
                results.Add((label, r));
            }
            if (results.Count == 0) throw new OperationCanceledException("The comparison was interrupted before its first run finished.");
            if (dir is not null) RunReport.WriteComparison(dir, results);
        }
        catch
        {
            foreach (var (_, r) in results) r.Dispose();
            if (results.Count == 0) dir?.Abandon();
            dir?.Dispose();
            throw;
        }
        dir?.Dispose();
        return results;
    }
}
