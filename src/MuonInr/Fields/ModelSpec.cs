namespace MuonInr.Fields;

/// <summary>
/// An architecture and its hyperparameters, as a run records them (the "model" section of a RunSpec).
/// Every value is null until the run is resolved against the presets table; a resolved spec has a value
/// for exactly the hyperparameters its architecture uses (<see cref="Architectures.Uses"/>) and null for
/// the rest. <see cref="Architectures.Create"/> has no defaults of its own: it refuses an unresolved spec.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>Architecture name (<see cref="Architectures.All"/>).</summary>
    public string? Name { get; init; }
    /// <summary>Hidden width.</summary>
    public int? Hidden { get; init; }
    /// <summary>Number of Linear layers (hidden layers + 1).</summary>
    public int? Layers { get; init; }
    /// <summary>Fourier-feature frequencies (relu-ffn, gauss-ffn): the encoding has 2·mapping outputs.</summary>
    public int? Mapping { get; init; }
    /// <summary>σ of the Fourier-feature matrix B ~ N(0, σ²).</summary>
    public double? FfSigma { get; init; }
    /// <summary>Positional-encoding frequency bands per coordinate (relu-pe; the paper's code: mapping/2 = 64).</summary>
    public int? PeLevels { get; init; }
    /// <summary>ω of sine-based activations (siren, finer, wire, wire-real): one value or one per activated layer.</summary>
    public double[]? Omega { get; init; }
    /// <summary>a of the Gaussian activation exp(−z²/(2a²)): one value or one per activated layer.</summary>
    public double[]? GaussA { get; init; }
    /// <summary>σ of the Gabor wavelet (wire, wire-real): one value or one per activated layer.</summary>
    public double[]? WaveletSigma { get; init; }
    /// <summary>FINER's first-layer bias U(−1/√2, 1/√2) (on) or PyTorch's default bias (off).</summary>
    public bool? FinerFirstBias { get; init; }
}
