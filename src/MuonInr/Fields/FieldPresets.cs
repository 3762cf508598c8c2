using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Fields;

/// <summary>Architecture settings; unset values take the preset's paper defaults (PAPER.md, image task).</summary>
public sealed record FieldOptions
{
    /// <summary>Hidden width (paper image default 300).</summary>
    public int? Hidden { get; init; }
    /// <summary>Number of Linear layers (paper image default 5).</summary>
    public int? Layers { get; init; }
}

/// <summary>
/// INR architectures by name, with the paper's image defaults. Available now: relu-mlp. The other
/// architectures of PAPER.md (relu-pe, relu-ffn, gauss-mlp, gauss-ffn, siren, finer, wire, wire-real)
/// are listed but not built yet (issue 4).
/// </summary>
public static class FieldPresets
{
    /// <summary>Every architecture of the paper with a one-line description; <c>Available</c> says whether it can be built now.</summary>
    public static readonly IReadOnlyList<(string Name, string Description, bool Available)> All =
    [
        ("relu-mlp", "Linear+ReLU stack, last Linear plain (5 layers x 300)", true),
        ("relu-pe", "NeRF positional encoding, then relu-mlp", false),
        ("relu-ffn", "Fourier features cos/sin(2π Bx), B ~ N(0, σ²), then relu-mlp", false),
        ("gauss-mlp", "Gaussian activation exp(−x²/(2a²))", false),
        ("gauss-ffn", "Fourier features + Gaussian activations", false),
        ("siren", "sin(ω(Wx+b)) with SIREN initialisation", false),
        ("finer", "sin(ω(|x|+1)x), SIREN initialisation", false),
        ("wire", "complex Gabor wavelet exp(iωx − |σx|²)", false),
        ("wire-real", "real Gabor wavelet sin(ωx)·exp(−(σx)²)", false),
    ];

    /// <summary>Builds architecture <paramref name="name"/> mapping <paramref name="inFeatures"/> coordinates to <paramref name="outFeatures"/> values.</summary>
    public static Module Create(string name, int inFeatures, int outFeatures, FieldOptions options, Rng rng)
    {
        var entry = All.FirstOrDefault(a => a.Name == name);
        if (entry.Name is null)
            throw new ArgumentException($"Unknown model '{name}'; expected one of {string.Join(", ", All.Select(a => a.Name))}.");
        if (!entry.Available)
            throw new NotSupportedException($"Model '{name}' is not implemented yet; available now: {string.Join(", ", All.Where(a => a.Available).Select(a => a.Name))}.");
        int hidden = options.Hidden ?? 300, layers = options.Layers ?? 5;
        if (hidden <= 0) throw new ArgumentException($"Hidden width must be positive, got {hidden}.");
        if (layers < 2) throw new ArgumentException($"An MLP needs at least 2 Linear layers, got {layers}.");
        return ReluMlp(inFeatures, outFeatures, hidden, layers, rng);
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
}
