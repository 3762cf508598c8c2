using MuonInr.Kernels;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Fields;

/// <summary>
/// A coordinate network: optional input encoding, then Linear layers with an activation after every
/// one but the last. Activation parameters are given per activated layer (input to output).
/// </summary>
public sealed class InrField : Module
{
    private readonly Module? _encoding;
    private readonly Linear[] _layers;
    private readonly double[] _p;
    private readonly double[] _sigma;

    /// <summary>Assembles the field from its parts (see <see cref="Architectures.Create"/>).</summary>
    public InrField(Module? encoding, IReadOnlyList<Linear> layers, FieldActivation activation, double[] parameters, double[] sigmas)
    {
        if (layers.Count < 1) throw new ArgumentException("A field needs at least one Linear layer.");
        if (parameters.Length != layers.Count - 1 || sigmas.Length != layers.Count - 1)
            throw new ArgumentException($"Expected one activation parameter per activated layer ({layers.Count - 1}), got {parameters.Length} and {sigmas.Length}.");
        _encoding = encoding;
        if (encoding is not null) RegisterModule("encoding", encoding);
        _layers = [.. layers];
        for (int i = 0; i < _layers.Length; i++) RegisterModule($"layers{i}", _layers[i]);
        Activation = activation; _p = parameters; _sigma = sigmas;
    }

    /// <summary>Activation after every Linear but the last.</summary>
    public FieldActivation Activation { get; }

    /// <summary>The Linear layers, input to output.</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>The input encoding, if any.</summary>
    public Module? Encoding => _encoding;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = _encoding?.Forward(input) ?? input;
        for (int i = 0; i < _layers.Length; i++)
        {
            bool last = i == _layers.Length - 1;
            if (last) x = _layers[i].Forward(x, FusedActivation.None);
            else if (Activation == FieldActivation.Relu) x = _layers[i].Forward(x, FusedActivation.Relu);
            else x = FieldActivations.Apply(Activation, _layers[i].Forward(x, FusedActivation.None), _p[i], _sigma[i]);
        }
        return x;
    }
}
