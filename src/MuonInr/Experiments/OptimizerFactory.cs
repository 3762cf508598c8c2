using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Optim.Schedulers;

namespace MuonInr.Experiments;

/// <summary>Builds optimizers and schedules by name for the trainer.</summary>
public static class OptimizerFactory
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static readonly string[] Names = ["adam", "adamw", .. MuonRule.All.Select(r => r.Name), "lion", "sgd", "lbfgs"];

    /// <summary>Creates the optimizer over <paramref name="model"/> and its schedule for <paramref name="steps"/> steps.</summary>
    /// <remarks>
    /// The spec must be resolved (learning rates set by the presets); the other hyperparameters are the
    /// canonical ones of each optimizer (MUON.md): Adam/AdamW betas (0.9, 0.999), eps 1e-8 (AdamW decay
    /// 0.01); Muon momentum 0.95 Nesterov with the paper's auxiliary Adam (betas (0.9, 0.999), eps 1e-10);
    /// Lion betas (0.9, 0.99); SGD Nesterov momentum 0.9; L-BFGS one strong-Wolfe iteration per step, history 100.
    /// </remarks>
    public static ScheduledOptimizer Create(OptimizerSpec o, Module model, int steps)
    {
        double lr = o.Lr ?? throw new ArgumentException("optimizer.lr is not set; resolve the run against the presets first.");
        Optimizer opt = o.Name switch
        {
            "adam" => new Adam(model.Parameters(), lr),
            "adamw" => new AdamW(model.Parameters(), lr),
            "lion" => new Lion(model.Parameters(), lr),
            "sgd" => new Sgd(model.Parameters(), lr, momentum: 0.9, nesterov: true),
            string name when MuonRule.IsMuonFamily(name) => MuonWithAuxAdam.ForInr(model, o.MuonLr ?? throw new ArgumentException("optimizer.muon_lr is not set."), lr,
                orthogonalizer: MuonRule.ByName(name).SizeSpecificNewtonSchulz ? null : Orthogonalizer(o), rule: MuonRule.ByName(name)),
            "lbfgs" => new Lbfgs(model.Parameters(), lr, maxIter: 1, historySize: 100, strongWolfe: true),
            _ => throw new ArgumentException($"Unknown optimizer '{o.Name}'; expected one of {string.Join(", ", Names)}."),
        };
        LrScheduler schedule = o.Schedule switch
        {
            "cosine" => new CosineAnnealing(opt, Math.Max(1, steps), o.EtaMin ?? throw new ArgumentException("optimizer.eta_min is not set.")),
            "constant" => new ConstantLr(opt),
            // Every group decays 10x over the run (the paper uses exponential decay for shapes and NeRF, without a rate in our copy).
            "exponential" => new ExponentialLr(opt, Math.Pow(0.1, 1.0 / Math.Max(1, steps))),
            _ => throw new ArgumentException($"Unknown schedule '{o.Schedule}'; expected cosine, exponential or constant."),
        };
        return new ScheduledOptimizer(opt, schedule);
    }

    private static IOrthogonalizer Orthogonalizer(OptimizerSpec o) => o.Orthogonalizer switch
    {
        "ns5" => NewtonSchulz.NewtonSchulz5(o.NsSteps ?? throw new ArgumentException("optimizer.ns_steps is not set.")),
        "polar-express" => NewtonSchulz.PolarExpress(o.NsSteps ?? throw new ArgumentException("optimizer.ns_steps is not set.")),
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
