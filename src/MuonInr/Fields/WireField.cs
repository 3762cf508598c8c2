using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Fields;

/// <summary>
/// Complex WIRE (Saragadam et al. 2023) as the paper's code builds it: a real first Linear (in → h)
/// followed by the complex Gabor wavelet exp(iωz − |σz|²) of its real output, then complex hidden layers
/// (h → h) each followed by the wavelet, then a complex output layer whose real part is the prediction.
/// h = ⌊hidden/√2⌋ keeps the parameter count near that of a real network of width hidden. Complex
/// activations run in the block layout [Re | Im], so every layer is one real GEMM.
/// </summary>
public sealed class WireField : Module
{
    private readonly Linear _first;
    private readonly ComplexLinear[] _complex;
    private readonly double[] _omega, _sigma;

    /// <summary>Builds the network; <paramref name="omega"/> and <paramref name="sigma"/> hold one value per activated layer (layers − 1).</summary>
    public WireField(int inFeatures, int outFeatures, int hidden, int layers, double[] omega, double[] sigma, Rng rng)
    {
        if (layers < 2) throw new ArgumentException($"WIRE needs at least 2 layers, got {layers}.");
        if (omega.Length != layers - 1 || sigma.Length != layers - 1)
            throw new ArgumentException($"WIRE needs one ω and one σ per activated layer ({layers - 1}), got {omega.Length} and {sigma.Length}.");
        ComplexWidth = Math.Max(1, (int)(hidden / Math.Sqrt(2)));
        _first = RegisterModule("layers0", new Linear(inFeatures, ComplexWidth, rng));
        _complex = new ComplexLinear[layers - 1];
        for (int i = 1; i < layers; i++)
        {
            bool last = i == layers - 1;
            _complex[i - 1] = RegisterModule($"layers{i}", new ComplexLinear(ComplexWidth, last ? outFeatures : ComplexWidth, rng, realPartOnly: last));
        }
        _omega = omega; _sigma = sigma;
    }

    /// <summary>Complex hidden width ⌊hidden/√2⌋.</summary>
    public int ComplexWidth { get; }

    /// <summary>The real first layer.</summary>
    public Linear First => _first;

    /// <summary>The complex layers, hidden then output.</summary>
    public IReadOnlyList<ComplexLinear> ComplexLayers => _complex;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = Ops.ComplexGabor(_first.Forward(input), (float)_omega[0], (float)_sigma[0], realInput: true);
        for (int i = 0; i < _complex.Length; i++)
        {
            var z = _complex[i].Forward(x);
            x = i == _complex.Length - 1 ? z : Ops.ComplexGabor(z, (float)_omega[i + 1], (float)_sigma[i + 1]);
        }
        return x;
    }
}
