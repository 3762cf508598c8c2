namespace MuonInr.Optim.Schedulers;

/// <summary>
/// Learning-rate schedule with PyTorch semantics: constructed at step 0 (sets every group's rate for
/// step 0), then <see cref="Step"/> once per optimizer step. Each group follows the schedule from its own
/// <see cref="ParamGroup.InitialLearningRate"/>, so Muon and Adam groups keep their ratio.
/// </summary>
public abstract class LrScheduler
{
    /// <summary>Binds to <paramref name="optimizer"/> and applies the step-0 rates.</summary>
    protected LrScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer;
    }

    /// <summary>The scheduled optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Steps taken (PyTorch's last_epoch).</summary>
    public int StepCount { get; private set; }

    /// <summary>The factor (rate / initial rate) or rate at step <paramref name="t"/> for a group starting at <paramref name="initial"/>.</summary>
    public abstract double RateAt(int t, double initial);

    /// <summary>Advances one step and updates every group.</summary>
    public void Step()
    {
        StepCount++;
        Apply();
    }

    /// <summary>Sets the step counter (for resuming) and applies the rates.</summary>
    public void Reset(int step)
    {
        StepCount = step;
        Apply();
    }

    /// <summary>Writes the current rates into the groups.</summary>
    protected void Apply()
    {
        foreach (var g in Optimizer.ParamGroups) g.LearningRate = RateAt(StepCount, g.InitialLearningRate);
    }
}

/// <summary>Constant learning rate.</summary>
public sealed class ConstantLr : LrScheduler
{
    /// <summary>Binds the schedule.</summary>
    public ConstantLr(Optimizer optimizer) : base(optimizer) => Apply();

    /// <inheritdoc />
    public override double RateAt(int t, double initial) => initial;
}

/// <summary>
/// Cosine annealing (SGDR without restarts): η_t = η_min + (η_0 − η_min)(1 + cos(π t / T_max)) / 2, the
/// closed form of PyTorch's CosineAnnealingLR. Past T_max the closed form follows the cosine back up (as
/// PyTorch's does), so T_max is normally the number of steps; the paper uses T_max = steps, η_min = 1e-6.
/// </summary>
public sealed class CosineAnnealing : LrScheduler
{
    /// <summary>Binds the schedule.</summary>
    public CosineAnnealing(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"Cosine annealing needs T_max > 0, got {tMax}.");
        if (etaMin < 0) throw new ArgumentOutOfRangeException(nameof(etaMin), $"eta_min must be ≥ 0, got {etaMin}.");
        TMax = tMax; EtaMin = etaMin;
        Apply();
    }

    /// <summary>Steps of the half cosine.</summary>
    public int TMax { get; }

    /// <summary>Final learning rate.</summary>
    public double EtaMin { get; }

    /// <inheritdoc />
    public override double RateAt(int t, double initial) => EtaMin + (initial - EtaMin) * (1 + Math.Cos(Math.PI * t / TMax)) / 2;
}

/// <summary>Exponential decay η_t = η_0 · γᵗ.</summary>
public sealed class ExponentialLr : LrScheduler
{
    /// <summary>Binds the schedule.</summary>
    public ExponentialLr(Optimizer optimizer, double gamma) : base(optimizer)
    {
        if (!(gamma > 0)) throw new ArgumentOutOfRangeException(nameof(gamma), $"gamma must be > 0, got {gamma}.");
        Gamma = gamma;
        Apply();
    }

    /// <summary>Decay per step.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public override double RateAt(int t, double initial) => initial * Math.Pow(Gamma, t);
}

/// <summary>Step decay η_t = η_0 · γ^⌊t / s⌋.</summary>
public sealed class StepLr : LrScheduler
{
    /// <summary>Binds the schedule.</summary>
    public StepLr(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"step size must be > 0, got {stepSize}.");
        StepSize = stepSize; Gamma = gamma;
        Apply();
    }

    /// <summary>Steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public override double RateAt(int t, double initial) => initial * Math.Pow(Gamma, t / StepSize);
}

/// <summary>
/// Linear warm-up wrapper: η_t = inner(t) · min(1, (t + 1) / W), so the first step already moves and from
/// step W − 1 on the inner schedule applies unchanged.
/// </summary>
public sealed class LinearWarmup : LrScheduler
{
    private readonly LrScheduler _inner;

    /// <summary>Wraps <paramref name="inner"/> (bound to the same optimizer) with <paramref name="warmupSteps"/> steps of warm-up.</summary>
    public LinearWarmup(LrScheduler inner, int warmupSteps) : base(inner.Optimizer)
    {
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warm-up steps must be ≥ 0, got {warmupSteps}.");
        _inner = inner; WarmupSteps = warmupSteps;
        Apply();
    }

    /// <summary>Warm-up length.</summary>
    public int WarmupSteps { get; }

    /// <inheritdoc />
    public override double RateAt(int t, double initial)
        => _inner.RateAt(t, initial) * (WarmupSteps == 0 ? 1 : Math.Min(1.0, (t + 1.0) / WarmupSteps));
}
