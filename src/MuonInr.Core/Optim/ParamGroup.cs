using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>
/// A set of parameters sharing hyperparameters (PyTorch's param_groups). Each optimizer reads the fields it
/// uses; the others are ignored. Schedulers change <see cref="LearningRate"/> relative to
/// <see cref="InitialLearningRate"/>.
/// </summary>
public sealed class ParamGroup
{
    /// <summary>Creates a group over <paramref name="parameters"/> with learning rate <paramref name="learningRate"/>.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, double learningRate)
    {
        Parameters = parameters.ToList();
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>The parameters updated by this group.</summary>
    public List<Parameter> Parameters { get; }

    /// <summary>Current learning rate (changed by schedulers).</summary>
    public double LearningRate { get; set; }

    /// <summary>Learning rate the group started with (PyTorch's initial_lr); schedulers compute from it.</summary>
    public double InitialLearningRate { get; set; }

    /// <summary>Label for logs (e.g. "muon" or "adam").</summary>
    public string Name { get; set; } = "";

    /// <summary>Routing flag of the hybrid optimizer: true → Muon update, false → auxiliary Adam.</summary>
    public bool UseMuon { get; set; }

    /// <summary>Adam/Lion β1 (default 0.9).</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Adam β2 (default 0.999; Lion uses 0.99).</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Adam's ε, added after the square root (default 1e-8).</summary>
    public double Eps { get; set; } = 1e-8;

    /// <summary>Weight decay: L2 for Adam and SGD, decoupled for AdamW, Lion and Muon (default 0).</summary>
    public double WeightDecay { get; set; }

    /// <summary>Momentum of SGD, or Muon's β (default 0; Muon 0.95).</summary>
    public double Momentum { get; set; }

    /// <summary>SGD dampening (default 0).</summary>
    public double Dampening { get; set; }

    /// <summary>Nesterov momentum (SGD, Muon).</summary>
    public bool Nesterov { get; set; }

    /// <summary>Checks the values and throws <see cref="ArgumentException"/> naming the offending one.</summary>
    public void Validate()
    {
        if (!(LearningRate >= 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"Invalid learning rate {LearningRate} in group '{Name}': must be a finite value ≥ 0.");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentException($"Invalid beta1 {Beta1} in group '{Name}': must be in [0, 1).");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentException($"Invalid beta2 {Beta2} in group '{Name}': must be in [0, 1).");
        if (!(Eps >= 0)) throw new ArgumentException($"Invalid eps {Eps} in group '{Name}': must be ≥ 0.");
        if (!(WeightDecay >= 0)) throw new ArgumentException($"Invalid weight decay {WeightDecay} in group '{Name}': must be ≥ 0.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentException($"Invalid momentum {Momentum} in group '{Name}': must be in [0, 1).");
        if (!(Dampening >= 0 && Dampening <= 1)) throw new ArgumentException($"Invalid dampening {Dampening} in group '{Name}': must be in [0, 1].");
    }
}
