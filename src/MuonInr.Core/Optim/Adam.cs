using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>
/// Adam (Kingma and Ba 2015) with PyTorch's semantics: eps added after the square root of the
/// bias-corrected second moment, L2 weight decay added to the gradient. Defaults lr 1e-3,
/// betas (0.9, 0.999), eps 1e-8, wd 0. Set <see cref="Decoupled"/> (or use <see cref="AdamW"/>) for AdamW.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        => AddParamGroup(new ParamGroup(parameters, lr) { Name = "adam", Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay });

    /// <summary>Decoupled weight decay (AdamW) instead of L2.</summary>
    public bool Decoupled { get; protected init; }

    /// <inheritdoc />
    public override void Step()
    {
        foreach (var g in ParamGroups)
            foreach (var p in g.Parameters)
            {
                if (p.Grad is null) continue;
                var s = State(p);
                s.Step++;
                AdamMath.TorchStep(p.Span, p.Grad.Span, s.Buffer("exp_avg", p.Length), s.Buffer("exp_avg_sq", p.Length), s.Step,
                    g.LearningRate, g.Beta1, g.Beta2, g.Eps, g.WeightDecay, Decoupled);
            }
        StepCount++;
    }
}

/// <summary>AdamW (Loshchilov and Hutter 2019): Adam with decoupled weight decay p ← p·(1 − lr·wd). Default wd 0.01 as PyTorch.</summary>
public sealed class AdamW : Adam
{
    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
        : base(parameters, lr, beta1, beta2, eps, weightDecay) => Decoupled = true;
}
