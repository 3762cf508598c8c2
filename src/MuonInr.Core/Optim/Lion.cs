using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>Lion (Chen et al. 2023): sign of an interpolated momentum. Defaults lr 1e-4, betas (0.9, 0.99), wd 0 (decoupled).</summary>
public sealed class Lion : Optimizer
{
    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public Lion(IEnumerable<Parameter> parameters, double lr = 1e-4, double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 0)
        => AddParamGroup(new ParamGroup(parameters, lr) { Name = "lion", Beta1 = beta1, Beta2 = beta2, WeightDecay = weightDecay });

    /// <inheritdoc />
    public override void Step()
    {
        foreach (var g in ParamGroups)
            foreach (var p in g.Parameters)
            {
                if (p.Grad is null) continue;
                var s = State(p);
                LionMath.Step(p.Span, p.Grad.Span, s.Buffer("exp_avg", p.Length), g.LearningRate, g.Beta1, g.Beta2, g.WeightDecay);
                s.Step++;
            }
        StepCount++;
    }
}
