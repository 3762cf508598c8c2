using MuonInr.Fields;
using MuonInr.Nn;
using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>What a finished training session hands back.</summary>
/// <param name="History">Metrics and rank diagnostics over time, with the final spectra.</param>
/// <param name="StepsDone">Steps completed (fewer than asked when stopped early).</param>
/// <param name="SecondsPerStep">Training seconds per step (evaluation excluded).</param>
/// <param name="InitialStableRanks">Stable rank of every diagnosed matrix at step 0 (a resumed run: from its checkpoint).</param>
/// <param name="FinalStableRanks">Stable rank of every diagnosed matrix at the end.</param>
/// <param name="Routing">Parameters Muon updated (empty for other optimizers).</param>
/// <param name="Status">completed, interrupted or diverged.</param>
/// <param name="Stopped">Why training stopped early, or null.</param>
public sealed record FitOutcome(TrainingHistory History, int StepsDone, double SecondsPerStep, double[] InitialStableRanks,
    double[] FinalStableRanks, string Routing, string Status, string? Stopped);

/// <summary>Hooks of a training session: progress, a stop request, and where checkpoints go and come from.</summary>
public sealed record SessionHooks
{
    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }
    /// <summary>Asked after every step; true stops cleanly at that step boundary (SIGINT, SIGTERM).</summary>
    public Func<bool>? ShouldStop { get; init; }
    /// <summary>Run directory receiving checkpoints (every checkpoint_every steps, at the end, and when stopped), or null.</summary>
    public string? CheckpointDir { get; init; }
    /// <summary>Run directory whose checkpoint to continue from, or null.</summary>
    public string? ResumeFrom { get; init; }
}

/// <summary>
/// The part every task shares: optimizer and schedule, resume from a verified checkpoint, the trainer with
/// evaluation, rank diagnostics of every weight matrix and checkpoints, the clean stop on request, and the
/// early stop at a non-finite loss (the model keeps its last finite parameters, and so does the checkpoint).
/// </summary>
public static class FitSession
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="problem"/> as the resolved <paramref name="spec"/> says.</summary>
    public static FitOutcome Run(Module model, FitProblem problem, RunSpec spec, SessionHooks hooks)
    {
        int steps = spec.Steps!.Value;
        var options = new TrainerOptions
        {
            Steps = steps, EvalEvery = spec.EvalEvery!.Value, RankEvery = spec.RankEvery!.Value,
            CheckpointEvery = hooks.CheckpointDir is null ? 0 : spec.CheckpointEvery!.Value,
        };
        var layers = Architectures.RankLayers(model);
        var opt = OptimizerFactory.Create(spec.Optimizer, model, steps);
        var history = new TrainingHistory { MetricName = problem.QualityName };
        var prediction = new float[problem.EvaluationCoordinates.Dim(0) * problem.OutFeatures];
        double Evaluate()
        {
            ChunkedPrediction.Predict(model, problem.EvaluationCoordinates, spec.Chunk!.Value, prediction);
            return problem.Quality(prediction);
        }
        double[] initialRanks = [];
        void RecordRanks(int step)
        {
            var ranks = new double[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                var s = layers[i].Spectrum();
                ranks[i] = s.StableRank;
                history.Ranks.Add(new RankRow(step, i, layers[i].Name, s.StableRank, s.EffectiveRank, s.SpectralNorm, s.ConditionNumber));
            }
            if (step == 0) initialRanks = ranks;
        }

        int startStep = 0;
        if (hooks.ResumeFrom is not null)
        {
            (startStep, initialRanks) = Checkpoints.Load(hooks.ResumeFrom, model, opt.Optimizer, spec);
            opt.Schedule.Reset(startStep);
        }
        var trainer = new Trainer(model, problem.Objective, opt, options)
        {
            Evaluate = _ => Evaluate(),
            RecordRanks = RecordRanks,
            Progress = hooks.Progress,
            ShouldStop = hooks.ShouldStop,
            MetricName = problem.QualityName,
            Checkpoint = step => Checkpoints.Save(hooks.CheckpointDir!, model, opt.Optimizer, step, spec, initialRanks),
        };
        string status = "completed";
        string? stopped = null;
        try { trainer.Run(startStep); }
        catch (NonFiniteLossException e)
        {
            status = "diverged"; stopped = e.Message;
            // The model holds the last finite parameters; so must the checkpoint (marked: not resumable).
            if (hooks.CheckpointDir is not null) Checkpoints.Save(hooks.CheckpointDir, model, opt.Optimizer, Math.Max(0, e.Step - 1), spec, initialRanks, diverged: true);
        }
        if (trainer.Interrupted)
        {
            status = "interrupted";
            stopped = $"Interrupted at step {trainer.StepsDone} of {steps}; resume with --resume on this run directory.";
            if (hooks.CheckpointDir is not null) Checkpoints.Save(hooks.CheckpointDir, model, opt.Optimizer, trainer.StepsDone, spec, initialRanks);
        }
        history.Metrics.AddRange(trainer.History.Metrics);
        // One SVD per matrix for the final spectra and the final stable ranks.
        var final = layers.Select(l => (l.Name, Spectrum: l.Spectrum())).ToList();
        foreach (var (name, spectrum) in final) history.FinalSpectra.Add((name, spectrum.SingularValues));
        string routing = opt.Optimizer is MuonInr.Optim.MuonWithAuxAdam
            ? string.Join(", ", opt.Optimizer.ParamGroups.Where(g => g.UseMuon).SelectMany(g => g.Parameters).Select(p => p.Name))
            : "";
        return new FitOutcome(history, trainer.StepsDone, trainer.TrainingSeconds / Math.Max(1, trainer.StepsDone - startStep), initialRanks,
            final.Select(l => l.Spectrum.StableRank).ToArray(), routing, status, stopped);
    }
}
