namespace MuonInr.Experiments;

/// <summary>
/// The optimizer and schedule of a run (the "optimizer" section of a RunSpec). Null until resolved; a
/// resolved spec sets exactly what its optimizer uses (muon_lr, orthogonalizer and ns_steps only for
/// Muon; eta_min only with the cosine schedule).
/// </summary>
public sealed record OptimizerSpec
{
    /// <summary>adam, adamw, muon (Muon + auxiliary Adam), lion, sgd, or lbfgs (<see cref="OptimizerFactory.Names"/>).</summary>
    public string? Name { get; init; }
    /// <summary>Learning rate of the optimizer; under Muon, of its auxiliary Adam (the paper's <c>--lr</c>).</summary>
    public double? Lr { get; init; }
    /// <summary>Muon's learning rate for the hidden matrices (the paper's <c>--muon_lr</c>).</summary>
    public double? MuonLr { get; init; }
    /// <summary>cosine (to <see cref="EtaMin"/> over the run) or constant.</summary>
    public string? Schedule { get; init; }
    /// <summary>Final learning rate of the cosine schedule.</summary>
    public double? EtaMin { get; init; }
    /// <summary>Muon's orthogonalizer: ns5, polar-express or svd.</summary>
    public string? Orthogonalizer { get; init; }
    /// <summary>Newton–Schulz iterations (ns5, polar-express).</summary>
    public int? NsSteps { get; init; }
}
