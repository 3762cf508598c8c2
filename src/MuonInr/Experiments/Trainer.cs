using System.Diagnostics;
using MuonInr.Autograd;
using MuonInr.Nn;
using MuonInr.Tasks;
using MuonInr.Tensors;

namespace MuonInr.Experiments;

/// <summary>What the trainer needs of an optimizer and its schedule.</summary>
public interface ITrainingOptimizer
{
    /// <summary>Drops every parameter gradient.</summary>
    void ZeroGrad();

    /// <summary>Applies one update from the accumulated gradients.</summary>
    void Step();

    /// <summary>Advances the learning-rate schedule by one step.</summary>
    void AdvanceSchedule();

    /// <summary>Current learning rate of the first group (for logging).</summary>
    double LearningRate { get; }

    /// <summary>
    /// For optimizers that re-evaluate the loss (L-BFGS): one step driven by a closure
    /// (zero gradients, full-batch loss and backward; returns the loss). Null for ordinary optimizers.
    /// </summary>
    Func<Func<double>, double>? ClosureStep => null;
}

/// <summary>Progress of a run, reported after every step.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">Loss of the last step.</param>
/// <param name="Psnr">Last evaluated PSNR (NaN before the first evaluation).</param>
/// <param name="StepsPerSecond">Training speed so far.</param>
/// <param name="Metric">Name of the quality metric in <paramref name="Psnr"/> ("psnr", "snr", …).</param>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double Loss, double Psnr, double StepsPerSecond, string Metric = "psnr");

/// <summary>Thrown when the loss becomes NaN or infinite; the model holds the last good parameters.</summary>
public sealed class NonFiniteLossException(int step, double loss)
    : Exception($"Training stopped at step {step}: the loss became {loss}. The model keeps the parameters that gave the last finite loss; try a lower learning rate.")
{
    /// <summary>Step whose loss was not finite.</summary>
    public int Step { get; } = step;
}

/// <summary>
/// The training loop shared by every task: full-batch steps accumulated over chunks, a stop with the
/// last good parameters at a non-finite loss, evaluation and rank diagnostics at fixed intervals.
/// Every step runs in a <see cref="TensorScope"/>, so steady-state steps take no new memory.
/// </summary>
public sealed class Trainer
{
    private readonly Module _model;
    private readonly ITrainingObjective _objective;
    private readonly ITrainingOptimizer _optimizer;
    private readonly TrainerOptions _options;
    private readonly Parameter[] _parameters;
    private readonly float[][] _lastGood;
    private bool _haveGood;

    /// <summary>Creates a trainer.</summary>
    public Trainer(Module model, ITrainingObjective objective, ITrainingOptimizer optimizer, TrainerOptions options)
    {
        options.Validate();
        _model = model; _objective = objective; _optimizer = optimizer; _options = options;
        _parameters = model.Parameters().ToArray();
        _lastGood = _parameters.Select(p => new float[p.Length]).ToArray();
    }

    /// <summary>Called at every evaluation step (and step 0) to compute the task's quality metric (e.g. PSNR).</summary>
    public Func<int, double>? Evaluate { get; init; }

    /// <summary>Called at every rank step (and step 0 and the end) to record rank diagnostics.</summary>
    public Action<int>? RecordRanks { get; init; }

    /// <summary>Called after every step.</summary>
    public Action<TrainingProgress>? Progress { get; init; }

    /// <summary>Called every <see cref="TrainerOptions.CheckpointEvery"/> steps.</summary>
    public Action<int>? Checkpoint { get; init; }

    /// <summary>Asked after every step; true stops training cleanly at that step boundary (a signal, a deadline).</summary>
    public Func<bool>? ShouldStop { get; init; }

    /// <summary>Name of the quality metric <see cref="Evaluate"/> returns (for progress).</summary>
    public string MetricName { get; init; } = "psnr";

    /// <summary>Whether <see cref="ShouldStop"/> ended the run before its last step.</summary>
    public bool Interrupted { get; private set; }

    /// <summary>The recorded history.</summary>
    public TrainingHistory History { get; } = new();

    /// <summary>Seconds spent in training steps (evaluation excluded).</summary>
    public double TrainingSeconds { get; private set; }

    /// <summary>Steps completed.</summary>
    public int StepsDone { get; private set; }

    /// <summary>Runs from step <paramref name="startStep"/> to <see cref="TrainerOptions.Steps"/>.</summary>
    public void Run(int startStep = 0)
    {
        int total = _options.Steps;
        double psnr = double.NaN, loss = double.NaN;
        StepsDone = startStep;
        if (startStep == 0)
        {
            RecordRanks?.Invoke(0);
            psnr = Evaluate?.Invoke(0) ?? double.NaN;
            History.Metrics.Add(new MetricRow(0, double.NaN, psnr, _optimizer.LearningRate, 0));
        }
        for (int step = startStep + 1; step <= total; step++)
        {
            long t0 = Stopwatch.GetTimestamp();
            _objective.BeginStep(step);
            loss = TrainStep(step);
            TrainingSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
            StepsDone = step;
            bool last = step == total;
            if (step % _options.EvalEvery == 0 || last)
            {
                psnr = Evaluate?.Invoke(step) ?? double.NaN;
                History.Metrics.Add(new MetricRow(step, loss, psnr, _optimizer.LearningRate, TrainingSeconds));
            }
            if (last || (_options.RankEvery > 0 && step % _options.RankEvery == 0)) RecordRanks?.Invoke(step);
            if (_options.CheckpointEvery > 0 && (step % _options.CheckpointEvery == 0 || last)) Checkpoint?.Invoke(step);
            Progress?.Invoke(new TrainingProgress(step, total, loss, psnr, (step - startStep) / Math.Max(1e-9, TrainingSeconds), MetricName));
            if (!last && ShouldStop?.Invoke() == true)
            {
                Interrupted = true;
                if (step % _options.EvalEvery != 0)
                    History.Metrics.Add(new MetricRow(step, loss, Evaluate?.Invoke(step) ?? double.NaN, _optimizer.LearningRate, TrainingSeconds));
                RecordRanks?.Invoke(step);
                break;
            }
        }
    }

    private double FullBatchLossAndGradient()
    {
        _optimizer.ZeroGrad();
        double loss = 0;
        for (int c = 0; c < _objective.ChunkCount; c++)
        {
            using var scope = new TensorScope();
            loss += _objective.AccumulateChunk(_model, c);
        }
        return loss;
    }

    private double TrainStep(int step)
    {
        if (_optimizer.ClosureStep is { } closureStep)
        {
            for (int i = 0; i < _parameters.Length; i++) _parameters[i].Span.CopyTo(_lastGood[i]);
            double first = closureStep(FullBatchLossAndGradient);
            if (!double.IsFinite(first) || _parameters.Any(p => !IsFinite(p.Span)))
            {
                Restore();
                throw new NonFiniteLossException(step, first);
            }
            _optimizer.AdvanceSchedule();
            return first;
        }
        double loss = FullBatchLossAndGradient();
        if (!double.IsFinite(loss))
        {
            if (_haveGood) Restore();
            throw new NonFiniteLossException(step, loss);
        }
        // These parameters gave a finite loss: remember them before updating, so a later non-finite
        // loss can go back to them (a few hundred KB per step for an INR, negligible next to the GEMMs).
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].Span.CopyTo(_lastGood[i]);
        _haveGood = true;
        using (GradMode.NoGrad()) _optimizer.Step();
        _optimizer.AdvanceSchedule();
        return loss;
    }

    private static bool IsFinite(ReadOnlySpan<float> s)
    {
        foreach (float v in s) if (!float.IsFinite(v)) return false;
        return true;
    }

    private void Restore()
    {
        for (int i = 0; i < _parameters.Length; i++) _lastGood[i].CopyTo(_parameters[i].Span);
        _optimizer.ZeroGrad();
    }
}
