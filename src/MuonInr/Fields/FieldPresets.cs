using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Fields;

/// <summary>Architecture settings; unset values take the preset's paper defaults (PAPER.md, image task).</summary>
public sealed record FieldOptions
{
    /// <summary>Hidden width (paper image default 300).</summary>
    public int? Hidden { get; init; }
    /// <summary>Number of Linear layers (paper image default 5; FFN and PE variants 4).</summary>
    public int? Layers { get; init; }
    /// <summary>Fourier-feature frequencies (default 128).</summary>
    public int? Mapping { get; init; }
    /// <summary>Fourier-feature σ of B (default 10).</summary>
    public double? FourierSigma { get; init; }
    /// <summary>Positional-encoding frequency bands L/2 (default mapping/2 = 64, the paper's code with L = mapping).</summary>
    public int? PeLevels { get; init; }
    /// <summary>ω of sine-based activations: one value or one per activated layer (SIREN/FINER 40, WIRE 20).</summary>
    public double[]? Omega { get; init; }
    /// <summary>a of the Gaussian activation: one value or one per activated layer (default 0.0236).</summary>
    public double[]? GaussianA { get; init; }
    /// <summary>σ of the Gabor wavelet: one value or one per activated layer (default 10).</summary>
    public double[]? WaveletSigma { get; init; }
    /// <summary>FINER's first-layer bias U(−1/√2, 1/√2) (default off, as the paper's code; PyTorch's default bias otherwise).</summary>
    public bool? FinerFirstBias { get; init; }
}

/// <summary>The INR architectures of the paper by name, with its image defaults (PAPER.md).</summary>
public static class FieldPresets
{
    /// <summary>Every architecture of the paper with a one-line description; <c>Available</c> says whether it can be built now.</summary>
    public static readonly IReadOnlyList<(string Name, string Description, bool Available)> All =
    [
        ("relu-mlp", "Linear+ReLU stack, last Linear plain (5 layers x 300)", true),
        ("relu-pe", "NeRF positional encoding sin/cos(2^k π p), k < L/2 = mapping/2 = 64, then relu-mlp (4 layers)", true),
        ("relu-ffn", "Fourier features cos/sin(2π Bx), B ~ N(0, 10²), mapping 128, then relu-mlp (4 layers)", true),
        ("gauss-mlp", "Gaussian activation exp(−z²/(2a²)), a 0.0236", true),
        ("gauss-ffn", "Fourier features + Gaussian activations (4 layers)", true),
        ("siren", "sin(ω(Wx+b)), ω 40, SIREN initialisation", true),
        ("finer", "sin(ω(|z|+1)z), ω 40, SIREN initialisation (first-layer bias U(±1/√2) optional)", true),
        ("wire", "complex Gabor wavelet exp(iωz − |σz|²), ω 20, σ 10, complex hidden width hidden/√2, output = real part", true),
        ("wire-real", "real Gabor wavelet sin(ωz)·exp(−(σz)²), ω 20, σ 10", true),
    ];

    /// <summary>
    /// Muon learning rate of a preset on images, from sweeps on kodim01 (protocol B, docs/results.md; the
    /// paper also tuned per architecture on kodim01): 0.1 (the paper's image value) for ReLU networks;
    /// 0.01 for Gaussian networks and both WIRE variants; 0.003 for SIREN; 0.001 for FINER. The narrow
    /// activations need smaller orthogonal steps: at 0.1 the Gaussian nets fall to ~17 dB, and SIREN at
    /// 0.01 loses 5 dB to Adam while at 0.003 it gains 3 dB.
    /// </summary>
    public static double DefaultMuonLearningRate(string model) => model switch
    {
        "siren" => 0.003,
        "finer" => 0.001,
        "gauss-mlp" or "gauss-ffn" or "wire" or "wire-real" => 0.01,
        _ => 0.1,
    };

    /// <summary>Builds architecture <paramref name="name"/> mapping <paramref name="inFeatures"/> coordinates to <paramref name="outFeatures"/> values.</summary>
    public static Module Create(string name, int inFeatures, int outFeatures, FieldOptions options, Rng rng)
    {
        var entry = All.FirstOrDefault(a => a.Name == name);
        if (entry.Name is null)
            throw new ArgumentException($"Unknown model '{name}'; expected one of {string.Join(", ", All.Select(a => a.Name))}.");
        if (!entry.Available)
            throw new NotSupportedException($"Model '{name}' is not implemented yet; available: {string.Join(", ", All.Where(a => a.Available).Select(a => a.Name))}.");
        bool encoded = name is "relu-pe" or "relu-ffn" or "gauss-ffn";
        int hidden = options.Hidden ?? 300, layers = options.Layers ?? (encoded ? 4 : 5);
        if (hidden <= 0) throw new ArgumentException($"Hidden width must be positive, got {hidden}.");
        if (layers < 2) throw new ArgumentException($"An MLP needs at least 2 Linear layers, got {layers}.");
        if (name == "relu-mlp") return ReluMlp(inFeatures, outFeatures, hidden, layers, rng);
        if (name == "wire")
            return new WireField(inFeatures, outFeatures, hidden, layers, PerLayer(options.Omega, 20, layers - 1, "omega"), PerLayer(options.WaveletSigma, 10, layers - 1, "sigma"), rng);

        Module? encoding = null;
        int width = inFeatures;
        if (name is "relu-ffn" or "gauss-ffn")
        {
            var ff = new FourierFeatures(inFeatures, options.Mapping ?? 128, options.FourierSigma ?? 10, rng);
            encoding = ff; width = ff.OutFeatures;
        }
        else if (name == "relu-pe")
        {
            var pe = new PositionalEncoding(inFeatures, options.PeLevels ?? (options.Mapping ?? 128) / 2);
            encoding = pe; width = pe.OutFeatures;
        }
        var activation = name switch
        {
            "relu-pe" or "relu-ffn" => FieldActivation.Relu,
            "gauss-mlp" or "gauss-ffn" => FieldActivation.Gaussian,
            "siren" => FieldActivation.Sine,
            "finer" => FieldActivation.Finer,
            _ => FieldActivation.GaborReal,
        };
        int activated = layers - 1;
        double[] p = activation switch
        {
            FieldActivation.Gaussian => PerLayer(options.GaussianA, 0.0236, activated, "a"),
            FieldActivation.Sine or FieldActivation.Finer => PerLayer(options.Omega, 40, activated, "omega"),
            FieldActivation.GaborReal => PerLayer(options.Omega, 20, activated, "omega"),
            _ => new double[activated],
        };
        double[] sigma = activation == FieldActivation.GaborReal ? PerLayer(options.WaveletSigma, 10, activated, "sigma") : new double[activated];

        var lins = new List<Linear>();
        for (int i = 0; i < layers; i++)
        {
            int fi = i == 0 ? width : hidden, fo = i == layers - 1 ? outFeatures : hidden;
            var lin = new Linear(fi, fo, rng);
            if (activation is FieldActivation.Sine or FieldActivation.Finer)
            {
                // SIREN: first layer U(−1/in, 1/in); later layers U(±√(6/in)/ω) with the ω of the layer they feed from.
                double bound = i == 0 ? 1.0 / fi : Math.Sqrt(6.0 / fi) / p[Math.Min(i - 1, activated - 1)];
                rng.FillUniform(lin.Weight.Span, (float)-bound, (float)bound);
                if (i == 0 && activation == FieldActivation.Finer && (options.FinerFirstBias ?? false) && lin.Bias is { } b)
                    rng.FillUniform(b.Span, (float)(-1 / Math.Sqrt(2)), (float)(1 / Math.Sqrt(2)));
            }
            lins.Add(lin);
        }
        return new InrField(encoding, lins, activation, p, sigma);
    }

    private static double[] PerLayer(double[]? given, double fallback, int count, string what)
    {
        if (given is null || given.Length == 0) return Enumerable.Repeat(fallback, count).ToArray();
        if (given.Length == 1) return Enumerable.Repeat(given[0], count).ToArray();
        if (given.Length != count)
            throw new ArgumentException($"Give one {what} or one per activated layer ({count}), got {given.Length}.");
        return [.. given];
    }

    /// <summary>relu-mlp: <paramref name="layers"/> Linear layers, ReLU between them (fused into the Linear), PyTorch default init.</summary>
    public static Sequential ReluMlp(int inFeatures, int outFeatures, int hidden, int layers, Rng rng)
    {
        var modules = new List<Module>();
        for (int i = 0; i < layers; i++)
        {
            int fi = i == 0 ? inFeatures : hidden, fo = i == layers - 1 ? outFeatures : hidden;
            modules.Add(new Linear(fi, fo, rng));
            if (i < layers - 1) modules.Add(new ReLU());
        }
        return new Sequential([.. modules]);
    }

    /// <summary>The Linear layers of a model in forward order (for rank diagnostics and routing).</summary>
    public static IReadOnlyList<(string Name, Linear Layer)> LinearLayers(Module model)
        => model.NamedModules().Where(m => m.Module is Linear).Select(m => (m.Name, (Linear)m.Module)).ToList();

    /// <summary>
    /// The weight matrices to diagnose, in forward order: each Linear weight, and each complex weight
    /// W = Wr + iWi of a <see cref="ComplexLinear"/> (its spectrum from the real block matrix, which holds
    /// every singular value of W twice: stable and effective rank halved, each σ once).
    /// </summary>
    public static IReadOnlyList<(string Name, Func<MuonInr.Analysis.SpectralSummary> Spectrum)> RankLayers(Module model)
    {
        var list = new List<(string, Func<MuonInr.Analysis.SpectralSummary>)>();
        foreach (var (name, m) in model.NamedModules())
        {
            if (m is Linear l)
                list.Add((name + ".weight", () => MuonInr.Analysis.Spectra.OfMatrix(l.Weight.Span, l.Weight.Dim(0), l.Weight.Dim(1))));
            else if (m is ComplexLinear c)
                list.Add((name + ".weight (complex)", () =>
                {
                    var block = MuonInr.Analysis.Spectra.OfMatrix(c.BlockMatrix(), 2 * c.OutFeatures, 2 * c.InFeatures);
                    return MuonInr.Analysis.SpectralSummary.FromSingularValues(block.SingularValues.Where((_, i) => i % 2 == 0));
                }));
        }
        return list;
    }
}
