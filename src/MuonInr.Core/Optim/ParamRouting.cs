using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>Which parameters go to Muon and which to the auxiliary Adam, with their names (for logs).</summary>
/// <param name="Muon">Parameters updated by Muon.</param>
/// <param name="Adam">Parameters updated by Adam.</param>
public sealed record ParamSplit(IReadOnlyList<(string Name, Parameter Parameter)> Muon, IReadOnlyList<(string Name, Parameter Parameter)> Adam)
{
    /// <summary>One line per group, e.g. "muon: 1.weight, 2.weight | adam: 0.weight, 0.bias, …".</summary>
    public override string ToString()
        => $"muon: {string.Join(", ", Muon.Select(p => p.Name))} | adam: {string.Join(", ", Adam.Select(p => p.Name))}";
}

/// <summary>
/// Splits a model's parameters between Muon and the auxiliary Adam. The INR paper's rule
/// (<see cref="Paper"/>): the weight matrices of the hidden <see cref="Linear"/> layers go to Muon (for a
/// hidden <see cref="ComplexLinear"/>, its real and imaginary weights, each orthogonalized as a real
/// matrix); the
/// first and last Linear layers, every bias, and everything that is not a Linear weight (encodings,
/// scalars) go to Adam — orthogonalizing a 2-wide input layer or a 3-wide output layer would only add
/// noise. Optionally the first Linear layer also goes to Muon (for models whose input is a wide
/// encoding, where that layer is a genuine hidden matrix). Or any rule by name.
/// </summary>
public sealed class ParamRouting
{
    private readonly Func<string, Parameter, int, int, bool> _useMuon;
    private readonly bool _outputWeightToAdam, _inputWeightToAdam;

    private ParamRouting(Func<string, Parameter, int, int, bool> useMuon, bool outputWeightToAdam = false, bool inputWeightToAdam = false)
    {
        _useMuon = useMuon;
        _outputWeightToAdam = outputWeightToAdam;
        _inputWeightToAdam = inputWeightToAdam;
    }

    /// <summary>The paper's routing; <paramref name="firstLayerToMuon"/> also routes the first Linear weight to Muon.</summary>
    public static ParamRouting Paper(bool firstLayerToMuon = false)
        => new((_, p, index, count) => index >= 0 && p.Rank == 2 && index < count - 1 && (index > 0 || firstLayerToMuon));

    /// <summary>
    /// The usual rule for classifiers (the Muon README, KellerJordan/Muon: Muon for the ≥2-D parameters,
    /// AdamW for the classifier head and for scalar and vector parameters): every parameter with two or
    /// more dimensions — Linear weights and convolution filters (Cout, kh, kw, Cin), the first layer
    /// included — goes to Muon except the output layer's weight, taken to be the last such parameter in
    /// registration (= forward) order; biases and that output weight go to the auxiliary Adam. With
    /// <paramref name="firstLayerToMuon"/> false, the first such parameter (the input layer's weight) goes
    /// to Adam too: cheaper when the input layer is a wide matrix (784 pixels) whose orthogonalization costs
    /// more than the network's own pass.
    /// </summary>
    public static ParamRouting HiddenWeights(bool firstLayerToMuon = true)
        => new((_, p, _, _) => p.Rank >= 2, outputWeightToAdam: true, inputWeightToAdam: !firstLayerToMuon);

    /// <summary>A user rule: <paramref name="useMuon"/>(name, parameter) → true for Muon (only matrices may be routed to Muon).</summary>
    public static ParamRouting ByName(Func<string, Parameter, bool> useMuon) => new((n, p, _, _) => useMuon(n, p));

    /// <summary>Splits <paramref name="model"/>'s parameters, in their registration order.</summary>
    public ParamSplit Split(Module model)
    {
        // Index of each weight matrix among the model's affine layers (Linear, or ComplexLinear whose real
        // and imaginary weights share the layer's index), in registration (= forward) order.
        var layers = model.NamedModules().Select(m => m.Module).Where(m => m is Linear or ComplexLinear).ToList();
        int LayerOf(Parameter p) => layers.FindIndex(m => m switch
        {
            Linear l => ReferenceEquals(l.Weight, p),
            ComplexLinear c => ReferenceEquals(c.WeightReal, p) || ReferenceEquals(c.WeightImaginary, p),
            _ => false,
        });
        var output = _outputWeightToAdam ? model.Parameters().LastOrDefault(p => p.Rank >= 2) : null;
        var input = _inputWeightToAdam ? model.Parameters().FirstOrDefault(p => p.Rank >= 2) : null;
        var muon = new List<(string, Parameter)>();
        var adam = new List<(string, Parameter)>();
        foreach (var (name, p) in model.NamedParameters())
        {
            int index = LayerOf(p);
            bool toMuon = !ReferenceEquals(p, output) && !ReferenceEquals(p, input) && _useMuon(name, p, index, layers.Count);
            if (toMuon && p.Rank < 2)
                throw new ArgumentException($"Routing sent parameter '{name}' of shape {MuonInr.Tensors.Tensor.ShapeString(p.Shape)} to Muon, which needs a matrix.");
            (toMuon ? muon : adam).Add((name, p));
        }
        return new ParamSplit(muon, adam);
    }
}
