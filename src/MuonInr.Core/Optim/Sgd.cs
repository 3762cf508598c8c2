using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay (<c>torch.optim.SGD</c>).</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>One group over <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0)
    {
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Nesterov momentum requires momentum > 0 and dampening 0, got momentum {momentum}, dampening {dampening}.");
        AddParamGroup(new ParamGroup(parameters, lr) { Name = "sgd", Momentum = momentum, Dampening = dampening, Nesterov = nesterov, WeightDecay = weightDecay });
    }

    /// <inheritdoc />
    public override void Step()
    {
        foreach (var g in ParamGroups)
            foreach (var p in g.Parameters)
            {
                if (p.Grad is null) continue;
                var s = State(p);
                var buf = g.Momentum != 0 ? s.Buffer("momentum_buffer", p.Length) : [];
                SgdMath.Step(p.Span, p.Grad.Span, buf, s.Step == 0, g.LearningRate, g.Momentum, g.Dampening, g.Nesterov, g.WeightDecay);
                s.Step++;
            }
        StepCount++;
    }
}
