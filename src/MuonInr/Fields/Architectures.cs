using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Fields;

/// <summary>
/// The INR architectures of the paper by name (PAPER.md): which hyperparameters each uses and how it is
/// built. Holds no default values: those live in the presets table (<c>Experiments/Presets</c>).
/// </summary>
public static class Architectures
{
    /// <summary>Every architecture of the paper with a one-line description and the hyperparameters it uses.</summary>
    public static readonly IReadOnlyList<(string Name, string Description, string[] Uses)> All =
    [
        ("relu-mlp", "Linear+ReLU stack, last Linear plain", ["hidden", "layers"]),
        ("relu-pe", "NeRF positional encoding [sin, cos](2^k π p), k < pe_levels, input-major, then relu-mlp", ["hidden", "layers", "pe_levels"]),
        ("relu-ffn", "Fourier features [cos, sin](2π Bx), B ~ N(0, ff_sigma²) of shape (mapping, in), then relu-mlp", ["hidden", "layers", "mapping", "ff_sigma"]),
        ("gauss-mlp", "Gaussian activation exp(−z²/(2a²))", ["hidden", "layers", "gauss_a"]),
        ("gauss-ffn", "Fourier features + Gaussian activations", ["hidden", "layers", "mapping", "ff_sigma", "gauss_a"]),
        ("siren", "sin(ω(Wx+b)), SIREN initialisation (each layer with its own ω)", ["hidden", "layers", "omega"]),
        ("finer", "sin(ω(|z|+1)z), SIREN initialisation, optional first-layer bias U(±1/√2)", ["hidden", "layers", "omega", "finer_first_bias"]),
        ("wire", "complex Gabor wavelet exp(iωz − |σz|²), complex hidden width ⌊hidden/√2⌋, output = real part", ["hidden", "layers", "omega", "wavelet_sigma"]),
        ("wire-real", "real Gabor wavelet sin(ωz)·exp(−(σz)²)", ["hidden", "layers", "omega", "wavelet_sigma"]),
    ];

    /// <summary>Whether <paramref name="model"/> is an architecture name.</summary>
    public static bool Exists(string? model) => All.Any(a => a.Name == model);

    /// <summary>The hyperparameters (snake_case names of <see cref="ModelSpec"/>) that <paramref name="model"/> uses.</summary>
    public static IReadOnlyList<string> Uses(string model)
        => All.FirstOrDefault(a => a.Name == model).Uses ?? throw UnknownModel(model);

    /// <summary>The error for an unknown architecture name, listing the known ones.</summary>
    public static ArgumentException UnknownModel(string? model)
        => new($"Unknown model '{model}'; expected one of {string.Join(", ", All.Select(a => a.Name))}.");

    /// <summary>
    /// Builds the architecture of <paramref name="spec"/> mapping <paramref name="inFeatures"/> coordinates
    /// to <paramref name="outFeatures"/> values. The spec must be resolved: every hyperparameter the
    /// architecture uses set (no defaults here), none that it does not use.
    /// </summary>
    public static Module Create(ModelSpec spec, int inFeatures, int outFeatures, Rng rng)
    {
        string name = spec.Name ?? throw new ArgumentException("model.name is not set.");
        var uses = Uses(name);
        foreach (var (key, set) in SetValues(spec))
        {
            if (set && !uses.Contains(key)) throw new ArgumentException($"model.{key} does not apply to {name} (it uses {string.Join(", ", uses)}).");
            if (!set && uses.Contains(key)) throw new ArgumentException($"model.{key} is not set; resolve the run against the presets first.");
        }
        int hidden = spec.Hidden!.Value, layers = spec.Layers!.Value;
        if (hidden <= 0) throw new ArgumentException($"model.hidden must be positive, got {hidden}.");
        if (layers < 2) throw new ArgumentException($"model.layers must be at least 2 (an MLP needs an input and an output Linear), got {layers}.");
        int activated = layers - 1;
        if (name == "relu-mlp") return ReluMlp(inFeatures, outFeatures, hidden, layers, rng);
        if (name == "wire")
            return new WireField(inFeatures, outFeatures, hidden, layers, PerLayer(spec.Omega!, activated, "omega"), PerLayer(spec.WaveletSigma!, activated, "wavelet_sigma"), rng);

        Module? encoding = null;
        int width = inFeatures;
        if (name is "relu-ffn" or "gauss-ffn")
        {
            if (spec.Mapping!.Value <= 0) throw new ArgumentException($"model.mapping must be positive, got {spec.Mapping}.");
            var ff = new FourierFeatures(inFeatures, spec.Mapping.Value, spec.FfSigma!.Value, rng);
            encoding = ff; width = ff.OutFeatures;
        }
        else if (name == "relu-pe")
        {
            if (spec.PeLevels!.Value <= 0) throw new ArgumentException($"model.pe_levels must be positive, got {spec.PeLevels}.");
            var pe = new PositionalEncoding(inFeatures, spec.PeLevels.Value);
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
        double[] p = activation switch
        {
            FieldActivation.Gaussian => PerLayer(spec.GaussA!, activated, "gauss_a"),
            FieldActivation.Sine or FieldActivation.Finer or FieldActivation.GaborReal => PerLayer(spec.Omega!, activated, "omega"),
            _ => new double[activated],
        };
        double[] sigma = activation == FieldActivation.GaborReal ? PerLayer(spec.WaveletSigma!, activated, "wavelet_sigma") : new double[activated];

        var lins = new List<Linear>();
        for (int i = 0; i < layers; i++)
        {
            int fi = i == 0 ? width : hidden, fo = i == layers - 1 ? outFeatures : hidden;
            var lin = new Linear(fi, fo, rng);
            if (activation is FieldActivation.Sine or FieldActivation.Finer)
            {
                // SIREN (and the paper's code, SineLayer.init_weights): the first layer U(−1/in, 1/in); every
                // later layer U(±√(6/in)/ω) with its OWN ω, the one of the activation it feeds; the final
                // Linear (no activation) uses the last hidden ω, as the reference's final layer does.
                double bound = i == 0 ? 1.0 / fi : Math.Sqrt(6.0 / fi) / p[Math.Min(i, activated - 1)];
                rng.FillUniform(lin.Weight.Span, (float)-bound, (float)bound);
                if (i == 0 && activation == FieldActivation.Finer && spec.FinerFirstBias!.Value && lin.Bias is { } b)
                    rng.FillUniform(b.Span, (float)(-1 / Math.Sqrt(2)), (float)(1 / Math.Sqrt(2)));
            }
            lins.Add(lin);
        }
        return new InrField(encoding, lins, activation, p, sigma);
    }

    private static IEnumerable<(string Key, bool Set)> SetValues(ModelSpec s) =>
    [
        ("hidden", s.Hidden is not null), ("layers", s.Layers is not null), ("mapping", s.Mapping is not null),
        ("ff_sigma", s.FfSigma is not null), ("pe_levels", s.PeLevels is not null), ("omega", s.Omega is not null),
        ("gauss_a", s.GaussA is not null), ("wavelet_sigma", s.WaveletSigma is not null), ("finer_first_bias", s.FinerFirstBias is not null),
    ];

    /// <summary>One value per activated layer from one value or one per layer.</summary>
    public static double[] PerLayer(double[] given, int count, string what)
    {
        if (given.Length == 1) return Enumerable.Repeat(given[0], count).ToArray();
        if (given.Length != count)
            throw new ArgumentException($"model.{what} takes one value or one per activated layer ({count}), got {given.Length}.");
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
