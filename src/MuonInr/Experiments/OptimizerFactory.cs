using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Optim.Schedulers;

namespace MuonInr.Experiments;

/// <summary>Optimizer and schedule settings of a run.</summary>
public sealed record OptimizerOptions
{
    /// <summary>adam, adamw, muon (Muon + auxiliary Adam), lion, sgd, or lbfgs (one strong-Wolfe iteration per step, lr as its initial step).</summary>
    public string Name { get; init; } = "adam";
    /// <summary>Adam's learning rate, or the auxiliary Adam's under Muon (paper image default 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Muon's learning rate for hidden matrices (paper image default 0.1).</summary>
    public double MuonLearningRate { get; init; } = 0.1;
    /// <summary>Schedule: cosine (to <see cref="EtaMin"/> over the run) or constant.</summary>
    public string Schedule { get; init; } = "cosine";
    /// <summary>Final learning rate of the cosine schedule (paper: 1e-6).</summary>
    public double EtaMin { get; init; } = 1e-6;
    /// <summary>Newton–Schulz iterations of Muon.</summary>
    public int NsSteps { get; init; } = 5;
    /// <summary>Orthogonalizer of Muon: ns5, polar-express or svd.</summary>
    public string Orthogonalizer { get; init; } = "ns5";
}

/// <summary>Builds optimizers and schedules by name for the trainer.</summary>
public static class OptimizerFactory
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static readonly string[] Names = ["adam", "adamw", "muon", "lion", "sgd", "lbfgs"];

    /// <summary>Creates the optimizer over <paramref name="model"/> and its schedule for <paramref name="steps"/> steps.</summary>
    public static ScheduledOptimizer Create(OptimizerOptions o, Module model, int steps)
    {
        Optimizer opt = o.Name switch
        {
            "adam" => new Adam(model.Parameters(), o.LearningRate),
            "adamw" => new AdamW(model.Parameters(), o.LearningRate),
            "lion" => new Lion(model.Parameters(), o.LearningRate),
            "sgd" => new Sgd(model.Parameters(), o.LearningRate, momentum: 0.9, nesterov: true),
            "muon" => MuonWithAuxAdam.ForInr(model, o.MuonLearningRate, o.LearningRate, orthogonalizer: Orthogonalizer(o)),
            "lbfgs" => new Lbfgs(model.Parameters(), o.LearningRate, maxIter: 1, historySize: 100, strongWolfe: true),
            _ => throw new ArgumentException($"Unknown optimizer '{o.Name}'; expected one of {string.Join(", ", Names)}."),
        };
        LrScheduler schedule = o.Schedule switch
        {
            "cosine" => new CosineAnnealing(opt, Math.Max(1, steps), o.EtaMin),
            "constant" => new ConstantLr(opt),
            _ => throw new ArgumentException($"Unknown schedule '{o.Schedule}'; expected cosine or constant."),
        };
        return new ScheduledOptimizer(opt, schedule);
    }

    private static IOrthogonalizer Orthogonalizer(OptimizerOptions o) => o.Orthogonalizer switch
    {
        "ns5" => NewtonSchulz.NewtonSchulz5(o.NsSteps),
        "polar-express" => NewtonSchulz.PolarExpress(o.NsSteps),
        "svd" => new ExactPolar(),
        _ => throw new ArgumentException($"Unknown orthogonalizer '{o.Orthogonalizer}'; expected ns5, polar-express or svd."),
    };
}

/// <summary>An optimizer with its learning-rate schedule, as the trainer drives them.</summary>
public sealed class ScheduledOptimizer(Optimizer optimizer, LrScheduler schedule) : ITrainingOptimizer
{
    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer { get; } = optimizer;

    /// <summary>The schedule.</summary>
    public LrScheduler Schedule { get; } = schedule;

    /// <inheritdoc />
    public double LearningRate => Optimizer.ParamGroups.Count > 0 ? Optimizer.ParamGroups[0].LearningRate : 0;

    /// <inheritdoc />
    public void ZeroGrad() => Optimizer.ZeroGrad();

    /// <inheritdoc />
    public void Step() => Optimizer.Step();

    /// <inheritdoc />
    public void AdvanceSchedule() => Schedule.Step();

    /// <inheritdoc />
    public Func<Func<double>, double>? ClosureStep => Optimizer is Lbfgs lbfgs ? lbfgs.Step : null;
}
