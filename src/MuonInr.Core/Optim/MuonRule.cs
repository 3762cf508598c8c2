namespace MuonInr.Optim;

/// <summary>How the momentum buffer accumulates gradients.</summary>
public enum MomentumForm
{
    /// <summary>Exponential average M ← lerp(M, G, 1 − β); Nesterov U = lerp(G, M, β) (KellerJordan/Muon, torch.optim.Muon).</summary>
    Ema,
    /// <summary>Sum M ← βM + G; Nesterov U = G + βM (Moonlight, AdaMuon's paper). Equal to <see cref="Ema"/> up to a positive factor, which orthogonalization removes.</summary>
    Sum,
}

/// <summary>What is done to U before the direction is taken.</summary>
public enum MuonInputTransform
{
    /// <summary>Nothing.</summary>
    None,
    /// <summary>Elementwise sign (AdaMuon: O = NS5(sign(U))).</summary>
    Sign,
    /// <summary>Clamp to ±τ, τ the <see cref="MuonRule.ClipQuantile"/> quantile of |U| (ROOT's proximal outlier suppression).</summary>
    ClipQuantile,
}

/// <summary>How the update direction is made from U.</summary>
public enum MuonDirection
{
    /// <summary>The orthogonalizer (NS5, Polar Express or SVD).</summary>
    Orthogonalize,
    /// <summary>AuON's linear-time cosh brake: O = U / (√mean(cosh(γ·U/‖U‖_F)²) + 1e-8), no orthogonalization.</summary>
    CoshBrake,
    /// <summary>Hybrid-AuON: orthogonalize, then the cosh brake on the result.</summary>
    OrthogonalizeThenCoshBrake,
}

/// <summary>Adaptive (second-moment) scaling applied to the direction O.</summary>
public enum MuonAdaptivity
{
    /// <summary>None (Muon).</summary>
    None,
    /// <summary>NorMuon: per-row v ← lerp(v, mean_row(O⊙O), 1 − β2); rows divided by √v + 1e-10; Frobenius norm restored.</summary>
    RowSecondMoment,
    /// <summary>AdaMuon: elementwise v ← β2·v + (1 − β2)·O⊙O; O ← O / (√v + ε).</summary>
    ElementSecondMoment,
    /// <summary>NAMO: one Adam-like step size ‖U‖ / √(EMA of ‖G‖² + ε) with bias corrections, clamped (see <see cref="MuonRule.Namo"/>).</summary>
    NormRatio,
    /// <summary>NAMO-D: the same per column, clamped toward the column mean by <see cref="MuonRule.ColumnClamp"/>.</summary>
    ColumnNormRatio,
}

/// <summary>The factor that sets the update's size from the matrix shape (rows m = fan-out, cols n = fan-in).</summary>
public enum MuonUpdateScale
{
    /// <summary>√max(1, m/n): KellerJordan's Muon (torch.optim.Muon <c>adjust_lr_fn="original"</c>).</summary>
    Original,
    /// <summary>0.2·√max(m, n): Moonlight's RMS matching to AdamW (torch.optim.Muon <c>"match_rms_adamw"</c>, Dion <c>rms_norm</c>).</summary>
    MatchRmsAdamW,
    /// <summary>√(m/n): the spectral-norm scaling of Dion (<c>spectral_norm</c>).</summary>
    SpectralNorm,
    /// <summary>0.2·√(m·n)/‖O‖_F: AdaMuon's RMS alignment (update RMS 0.2 whatever the adaptivity did).</summary>
    RmsTarget,
    /// <summary>1: no shape factor (AuON's reference applies lr to the braked momentum directly).</summary>
    Unit,
    /// <summary>√(m/n)/σ̂_max(O), σ̂ from one step per update of a persistent power iteration: update spectral norm exactly lr·√(m/n) (spectral scaling for hyperparameter transfer).</summary>
    PowerIterationSpectral,
}

/// <summary>How weight decay is applied to a Muon matrix (ignored when the group's weight decay is 0).</summary>
public enum MuonWeightDecay
{
    /// <summary>W ← W·(1 − lr·wd) (Muon, Moonlight, NorMuon, AdaMuon, AuON, ROOT).</summary>
    Decoupled,
    /// <summary>W ← W·(1 − wd/n), n = fan-in: independent of the learning rate; wd = 0.1 gives the spectral-scaling recipe's 0.1/width.</summary>
    Independent,
}

/// <summary>
/// One member of the Muon family as a configuration of the shared Muon math (MUON.md, "Variants"):
/// momentum form, an input transform, the direction (orthogonalizer or AuON's brake), an adaptive
/// scaling, the update scale and the weight-decay form. <see cref="MuonMath"/> runs every member
/// with one loop; <see cref="Muon"/> is exactly KellerJordan's Muon. Each preset names its source.
/// </summary>
public sealed record MuonRule
{
    /// <summary>Name used by configs and the CLI (<c>--optimizer NAME</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Where the rule comes from.</summary>
    public string Source { get; init; } = "";

    /// <summary>Momentum form (default exponential average).</summary>
    public MomentumForm Momentum { get; init; } = MomentumForm.Ema;

    /// <summary>Transform of U before the direction (default none).</summary>
    public MuonInputTransform Input { get; init; } = MuonInputTransform.None;

    /// <summary>Quantile of |U| above which entries are clamped (ROOT; default 0.9, i.e. the 10 % largest).</summary>
    public double ClipQuantile { get; init; } = 0.9;

    /// <summary>Direction (default the orthogonalizer).</summary>
    public MuonDirection Direction { get; init; } = MuonDirection.Orthogonalize;

    /// <summary>γ of AuON's cosh brake (default 1.5, ryyzn9/AuON).</summary>
    public double CoshGamma { get; init; } = 1.5;

    /// <summary>Adaptive scaling (default none).</summary>
    public MuonAdaptivity Adaptivity { get; init; } = MuonAdaptivity.None;

    /// <summary>β2 of the second moment (NorMuon 0.95, AdaMuon 0.95; NAMO's μ2 0.99).</summary>
    public double Beta2 { get; init; } = 0.95;

    /// <summary>ε of the second moment (AdaMuon 1e-8; NAMO's adamnorm_eps 1e-8).</summary>
    public double AdaptiveEps { get; init; } = 1e-8;

    /// <summary>NAMO-D: column scales clamped to [c·mean, mean/c] (default 0.75; 0 disables).</summary>
    public double ColumnClamp { get; init; } = 0.75;

    /// <summary>Update scale (default <see cref="MuonUpdateScale.Original"/>).</summary>
    public MuonUpdateScale Scale { get; init; } = MuonUpdateScale.Original;

    /// <summary>Weight-decay form (default decoupled).</summary>
    public MuonWeightDecay WeightDecay { get; init; } = MuonWeightDecay.Decoupled;

    /// <summary>
    /// Orthogonalize with <see cref="RootNewtonSchulz"/> (coefficients fitted per matrix size) instead of
    /// the optimizer's orthogonalizer (ROOT; default false).
    /// </summary>
    public bool SizeSpecificNewtonSchulz { get; init; }

    /// <summary>Floats of per-parameter second-moment state for an m×n matrix (0 when the rule keeps none).</summary>
    public int SecondMomentLength(int rows, int cols) => Adaptivity switch
    {
        MuonAdaptivity.RowSecondMoment => rows,
        MuonAdaptivity.ElementSecondMoment => rows * cols,
        MuonAdaptivity.NormRatio => 1,
        MuonAdaptivity.ColumnNormRatio => 2 * cols, // v per column, then scratch for the column step sizes
        _ => 0,
    };

    /// <summary>KellerJordan's Muon (MUON.md): EMA momentum, Nesterov, NS5, √max(1, m/n).</summary>
    public static MuonRule Muon { get; } = new() { Name = "muon", Source = "KellerJordan/Muon muon.py; MUON.md" };

    /// <summary>Moonlight (arXiv 2502.16982): sum momentum, update scale 0.2·√max(m, n) so that one learning rate serves Muon and AdamW.</summary>
    public static MuonRule Moonlight { get; } = new() { Name = "muon-moonlight", Source = "Liu et al. 2025, arXiv 2502.16982 (Moonlight); torch.optim.Muon adjust_lr_fn=match_rms_adamw", Momentum = MomentumForm.Sum, Scale = MuonUpdateScale.MatchRmsAdamW };

    /// <summary>NorMuon (arXiv 2510.05491): per-row second moment after NS5, Frobenius norm restored, Muon's shape scale.</summary>
    public static MuonRule NorMuon { get; } = new() { Name = "normuon", Source = "Li et al. 2025, arXiv 2510.05491; zichongli5/NorMuon", Adaptivity = MuonAdaptivity.RowSecondMoment, Beta2 = 0.95 };

    /// <summary>AdaMuon (arXiv 2507.11005): O = NS5(sign(U)), elementwise second moment, rescaled to RMS 0.2.</summary>
    public static MuonRule AdaMuon { get; } = new() { Name = "adamuon", Source = "Si et al. 2025, arXiv 2507.11005", Input = MuonInputTransform.Sign, Adaptivity = MuonAdaptivity.ElementSecondMoment, Beta2 = 0.95, AdaptiveEps = 1e-8, Scale = MuonUpdateScale.RmsTarget };

    /// <summary>NAMO (arXiv 2602.17080, minxin-zhg/namo): orthogonalized Nesterov momentum with an Adam-like scalar step size, 0.2·√max(m, n), clamped at 1.</summary>
    public static MuonRule Namo { get; } = new() { Name = "namo", Source = "arXiv 2602.17080; minxin-zhg/namo (NAMO)", Adaptivity = MuonAdaptivity.NormRatio, Beta2 = 0.99, AdaptiveEps = 1e-8, Scale = MuonUpdateScale.MatchRmsAdamW };

    /// <summary>NAMO-D: NAMO with one step size per column (a right diagonal), clamped toward the mean.</summary>
    public static MuonRule NamoD { get; } = new() { Name = "namo-d", Source = "arXiv 2602.17080; minxin-zhg/namo (NAMO_D)", Adaptivity = MuonAdaptivity.ColumnNormRatio, Beta2 = 0.99, AdaptiveEps = 1e-8, ColumnClamp = 0.75, Scale = MuonUpdateScale.MatchRmsAdamW };

    /// <summary>Spectral scaling (arXiv 2512.05620): every update has spectral norm lr·√(fan_out/fan_in) (power-iteration σ̂_max), weight decay independent of lr.</summary>
    public static MuonRule Spectral { get; } = new() { Name = "muon-spectral", Source = "arXiv 2512.05620; Koratahiu/Advanced_Optimizers", Scale = MuonUpdateScale.PowerIterationSpectral, WeightDecay = MuonWeightDecay.Independent };

    /// <summary>AuON (arXiv 2509.24320, ryyzn9/AuON): Nesterov momentum through the linear-time cosh brake, no orthogonalization.</summary>
    public static MuonRule AuOn { get; } = new() { Name = "auon", Source = "arXiv 2509.24320; ryyzn9/AuON optimizer.py", Direction = MuonDirection.CoshBrake, CoshGamma = 1.5, Scale = MuonUpdateScale.Unit };

    /// <summary>Hybrid-AuON: NS5 first, then AuON's cosh brake.</summary>
    public static MuonRule HybridAuOn { get; } = new() { Name = "hybrid-auon", Source = "arXiv 2509.24320 (Hybrid-AuON)", Direction = MuonDirection.OrthogonalizeThenCoshBrake, CoshGamma = 1.5 };

    /// <summary>ROOT (arXiv 2511.20626): the 10 % largest |U| clamped before orthogonalization (proximal outlier suppression), Newton–Schulz with coefficients fitted per matrix size.</summary>
    public static MuonRule Root { get; } = new() { Name = "root", Source = "He et al. 2025, arXiv 2511.20626 (ROOT); coefficients: tools/fit_root_coefficients.py", Input = MuonInputTransform.ClipQuantile, ClipQuantile = 0.9, SizeSpecificNewtonSchulz = true };

    /// <summary>Every preset, Muon first.</summary>
    public static IReadOnlyList<MuonRule> All { get; } = [Muon, Moonlight, NorMuon, AdaMuon, Namo, NamoD, Spectral, AuOn, HybridAuOn, Root];

    /// <summary>True when <paramref name="name"/> names a member of the family.</summary>
    public static bool IsMuonFamily(string? name) => name is not null && All.Any(r => r.Name == name);

    /// <summary>The preset called <paramref name="name"/>.</summary>
    public static MuonRule ByName(string name) => All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"Unknown Muon variant '{name}'; expected one of {string.Join(", ", All.Select(r => r.Name))}.");
}
