using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Applies modules in order; submodules are named "0", "1", … as in PyTorch. A plain
/// <see cref="Linear"/> or <see cref="Conv2d"/> directly followed by <see cref="ReLU"/> runs as one fused layer, which saves a
/// pass over the activations forward and backward and gives the same values.
/// </summary>
public sealed class Sequential : Module
{
    private readonly Module[] _layers;

    /// <summary>Creates the container.</summary>
    public Sequential(params Module[] layers)
    {
        _layers = layers;
        for (int i = 0; i < layers.Length; i++) RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]);
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            bool reluNext = i + 1 < _layers.Length && _layers[i + 1] is ReLU;
            if (reluNext && _layers[i] is Linear { Activation: FusedActivation.None } lin)
            {
                x = lin.Forward(x, FusedActivation.Relu);
                i++;
            }
            else if (reluNext && _layers[i] is Conv2d { Activation: FusedActivation.None } conv)
            {
                x = conv.Forward(x, FusedActivation.Relu);
                i++;
            }
            else x = _layers[i].Forward(x);
        }
        return x;
    }
}
