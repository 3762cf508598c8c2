using MuonInr.Experiments;

namespace MuonInr.Sweeps;

/// <summary>What a sweep did: runs executed and skipped per stage, and the winners.</summary>
public sealed record SweepOutcome(int TuneRuns, int TuneExecuted, int EvaluateRuns, int EvaluateExecuted, int Failed, bool Stopped, IReadOnlyList<ConfigScore> Winners)
{
    /// <summary>Runs were submitted elsewhere (Slurm) and are not finished yet; the sweep continues when they are.</summary>
    public bool Waiting { get; init; }
}

/// <summary>
/// Runs a sweep in two stages (the paper's protocol): every configuration on the tune files, then the best
/// configuration per (model, optimizer) on every evaluate file. Finished runs are never redone (their
/// directories are the source of truth), so a killed sweep picks up where it stopped.
/// </summary>
public static class SweepRunner
{
    /// <summary>Plans, executes and indexes <paramref name="spec"/> in <paramref name="folder"/>.</summary>
    public static async Task<SweepOutcome> RunAsync(SweepSpec spec, SweepFolder folder, ISweepExecutor executor, Presets presets, Func<bool> shouldStop, Action<string> log)
    {
        var tune = SweepPlanner.TuneStage(spec, presets);
        folder.WritePlan(spec, tune);
        var pending = Pending(folder, tune, spec.Retries);
        log($"tune: {tune.Count} runs, {tune.Count - pending.Count} already done, {pending.Count} to run");
        if (pending.Count > 0) await executor.ExecuteAsync(folder, pending, spec.Retries, shouldStop, log);
        if (shouldStop()) return Finish(folder, spec, tune, [], Ended(folder, pending), 0, stopped: true);
        if (Pending(folder, tune, spec.Retries).Count > 0) // an executor that submits and returns (Slurm): its gather job continues
            return Finish(folder, spec, tune, [], pending.Count, 0, stopped: false) with { Waiting = true };

        var tuneStates = tune.Select(folder.State).ToList();
        // A metric the task does not report (psnr for audio) would silently select nothing.
        var reported = tuneStates.Where(t => t.Status == "completed" && t.Summary is not null).Select(t => t.Summary!).FirstOrDefault();
        if (reported is not null && reported.Metric(spec.Metric) is null && !reported.Metrics.ContainsKey(spec.Metric))
            throw new SweepSpecException("select.metric", $"select.metric '{spec.Metric}' is not a metric of these runs; they report {string.Join(", ", reported.Metrics.Keys.Append("loss"))}.");
        var winners = SweepSelection.Winners(SweepSelection.Scores(tuneStates, spec.Metric, spec.Maximize), spec.Maximize);
        IReadOnlyList<PlannedRun> evaluate = [];
        List<PlannedRun> ep = [];
        if (spec.Evaluate.Count > 0 && winners.Count > 0)
        {
            evaluate = SweepPlanner.EvaluateStage(spec, winners.Select(w => w.Representative), presets);
            folder.WritePlan(spec, [.. tune, .. evaluate]);
            ep = Pending(folder, evaluate, spec.Retries);
            log($"evaluate: {winners.Count} winners x {spec.Evaluate.Count} files x {spec.Seeds.Count} seeds = {evaluate.Count} runs, {ep.Count} to run");
            if (ep.Count > 0) await executor.ExecuteAsync(folder, ep, spec.Retries, shouldStop, log);
        }
        bool waiting = !shouldStop() && Pending(folder, evaluate, spec.Retries).Count > 0;
        int evalCount = waiting ? ep.Count : Ended(folder, ep);
        return Finish(folder, spec, tune, evaluate, Ended(folder, pending), evalCount, shouldStop()) with { Waiting = waiting };
    }

    // Of the runs handed to the executor, those that ended (completed or failed) in this invocation: a
    // stopped sweep must not report the runs it never started as executed.
    private static int Ended(SweepFolder folder, IReadOnlyList<PlannedRun> handed) => handed.Count(r => folder.State(r) is var s && (s.Final || s.Status == "failed"));

    private static List<PlannedRun> Pending(SweepFolder folder, IEnumerable<PlannedRun> runs, int retries)
        => runs.Where(r => folder.State(r) is var s && !s.Final && s.Attempts <= retries).ToList();

    private static SweepOutcome Finish(SweepFolder folder, SweepSpec spec, IReadOnlyList<PlannedRun> tune, IReadOnlyList<PlannedRun> evaluate, int tuneRan, int evalRan, bool stopped)
    {
        using (var store = new ResultsStore(folder)) store.Rebuild(folder);
        var states = tune.Concat(evaluate).Select(folder.State).ToList();
        var winners = SweepSelection.Winners(SweepSelection.Scores(states, spec.Metric, spec.Maximize), spec.Maximize);
        return new SweepOutcome(tune.Count, tuneRan, evaluate.Count, evalRan, states.Count(s => s.Status == "failed"), stopped, winners);
    }
}
