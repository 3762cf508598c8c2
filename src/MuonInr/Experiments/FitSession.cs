using MuonInr.Fields;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Experiments;

/// <summary>What a finished training session hands back to its task.</summary>
/// <param name="History">Metrics and rank diagnostics over time, with the final spectra.</param>
/// <param name="StepsDone">Steps completed (fewer than asked when stopped early).</param>
/// <param name="SecondsPerStep">Training seconds per step (evaluation excluded).</param>
/// <param name="InitialStableRanks">Stable rank of every diagnosed matrix at step 0.</param>
/// <param name="FinalStableRanks">Stable rank of every diagnosed matrix at the end.</param>
/// <param name="Routing">Parameters Muon updated (empty for other optimizers).</param>
/// <param name="Stopped">Why training stopped early, or null.</param>
public sealed record FitOutcome(TrainingHistory History, int StepsDone, double SecondsPerStep, double[] InitialStableRanks,
    double[] FinalStableRanks, string Routing, string? Stopped);

/// <summary>
/// The part every fitting task shares: optimizer and schedule, resume from a checkpoint, the trainer
/// with evaluation, rank diagnostics of every weight matrix and checkpoints, and the early stop at a
/// non-finite loss (the model keeps its last good parameters).
/// </summary>
public static class FitSession
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="objective"/>.</summary>
    /// <param name="model">The field.</param>
    /// <param name="objective">The full-batch loss, in chunks.</param>
    /// <param name="optimizer">Optimizer and schedule.</param>
    /// <param name="options">Steps and intervals (CheckpointEvery is ignored without <paramref name="checkpointDir"/>).</param>
    /// <param name="evaluate">Quality of the current model in dB (PSNR or SNR), called every EvalEvery steps.</param>
    /// <param name="metricName">Name of that quality in metrics.csv.</param>
    /// <param name="progress">Called after every step.</param>
    /// <param name="checkpointDir">Where checkpoints go, or null.</param>
    /// <param name="resumeFrom">Run directory holding the checkpoint to continue from, or null.</param>
    public static FitOutcome Run(Module model, ITrainingObjective objective, OptimizerOptions optimizer, TrainerOptions options,
        Func<double> evaluate, string metricName, Action<TrainingProgress>? progress, string? checkpointDir, string? resumeFrom)
    {
        var layers = FieldPresets.RankLayers(model);
        var opt = OptimizerFactory.Create(optimizer, model, options.Steps);
        var history = new TrainingHistory { MetricName = metricName };
        double[] initialRanks = [];
        void RecordRanks(int step)
        {
            var ranks = new double[layers.Count];
            for (int i = 0; i < layers.Count; i++)
            {
                var s = layers[i].Spectrum();
                ranks[i] = s.StableRank;
                history.Ranks.Add(new RankRow(step, i, layers[i].Name, s.StableRank, s.EffectiveRank, s.SpectralNorm, s.ConditionNumber));
                if (step == options.Steps) history.FinalSpectra.Add((layers[i].Name, s.SingularValues));
            }
            if (step == 0) initialRanks = ranks;
        }

        int startStep = 0;
        if (resumeFrom is not null)
        {
            startStep = Checkpoints.Load(resumeFrom, model, opt.Optimizer);
            if (startStep > options.Steps)
                throw new ArgumentException($"The checkpoint in '{resumeFrom}' is at step {startStep}, beyond --steps {options.Steps}.");
            opt.Schedule.Reset(startStep);
        }
        var trainer = new Trainer(model, objective, opt, options with { CheckpointEvery = checkpointDir is null ? 0 : options.CheckpointEvery })
        {
            Evaluate = _ => evaluate(),
            RecordRanks = RecordRanks,
            Progress = progress,
            Checkpoint = step => Checkpoints.Save(checkpointDir!, model, opt.Optimizer, step),
        };
        string? stopped = null;
        try { trainer.Run(startStep); }
        catch (NonFiniteLossException e) { stopped = e.Message; }
        history.Metrics.AddRange(trainer.History.Metrics);
        if (history.FinalSpectra.Count == 0)
            foreach (var (name, spectrum) in layers) history.FinalSpectra.Add((name, spectrum().SingularValues)); // stopped early
        string routing = opt.Optimizer is MuonInr.Optim.MuonWithAuxAdam
            ? string.Join(", ", opt.Optimizer.ParamGroups.Where(g => g.UseMuon).SelectMany(g => g.Parameters).Select(p => p.Name))
            : "";
        return new FitOutcome(history, trainer.StepsDone, trainer.TrainingSeconds / Math.Max(1, trainer.StepsDone), initialRanks,
            layers.Select(l => l.Spectrum().StableRank).ToArray(), routing, stopped);
    }

    /// <summary>Rows <paramref name="rows"/> of t [N, F] as a new tensor outside any scope.</summary>
    public static Tensor Rows(Tensor t, int[] rows)
    {
        int f = t.Dim(1);
        var r = Tensor.Zeros(rows.Length, f).Escape();
        for (int i = 0; i < rows.Length; i++) t.Span.Slice(rows[i] * f, f).CopyTo(r.Span.Slice(i * f, f));
        return r;
    }
}
