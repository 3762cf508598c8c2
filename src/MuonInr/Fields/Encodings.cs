using MuonInr.Kernels;
using MuonInr.Autograd;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Fields;

/// <summary>
/// Random Fourier features (Tancik et al. 2020): γ(x) = [cos(2π x·Bᵀ), sin(2π x·Bᵀ)] with a fixed
/// B ~ N(0, σ²) of shape (mapping, in). B is a constant (drawn from the run's seed), not a parameter.
/// x [N, in] → [N, 2·mapping].
/// </summary>
public sealed class FourierFeatures : Module
{
    private readonly Tensor _b2Pi;
    private readonly EncodingCache _cache = new();
    // Created once: a lambda at the call would allocate a delegate every step.
    private readonly Func<Tensor, Tensor> _encode;

    /// <summary>Draws B from <paramref name="rng"/>.</summary>
    public FourierFeatures(int inFeatures, int mapping, double sigma, Rng rng)
    {
        if (mapping <= 0 || !(sigma > 0)) throw new ArgumentException($"Fourier features need mapping > 0 and σ > 0, got {mapping} and {sigma}.");
        InFeatures = inFeatures; Mapping = mapping; Sigma = sigma;
        _b2Pi = Tensor.Normal(rng, 0f, (float)sigma, mapping, inFeatures).Escape();
        TensorPrimitives.Multiply(_b2Pi.Span, (float)(2 * Math.PI), _b2Pi.Span);
        _encode = Encode;
    }

    /// <summary>Input coordinates.</summary>
    public int InFeatures { get; }
    /// <summary>Number of frequencies (output is twice this).</summary>
    public int Mapping { get; }
    /// <summary>Standard deviation of B.</summary>
    public double Sigma { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures => 2 * Mapping;

    /// <inheritdoc />
    /// <remarks>
    /// The output for an input that requires no gradient is kept and returned again for the same input (the same
    /// coordinates every step; see <see cref="EncodingCache"/>): do not modify or dispose it.
    /// </remarks>
    public override Tensor Forward(Tensor input) => _cache.GetOrEncode(input, _encode);

    private Tensor Encode(Tensor x)
    {
        var z = Ops.MatMul(x, _b2Pi, transB: true);  // [N, mapping] = 2π x·Bᵀ
        return Ops.ConcatColumns(Ops.Cos(z), Ops.Sin(z));
    }
}

/// <summary>
/// NeRF positional encoding as the paper's code computes it: for every input coordinate p (input-major)
/// and k = 0 … bands−1, [sin(2ᵏ π p), cos(2ᵏ π p)] interleaved, no raw input. PAPER.md: "k &lt; L/2" with
/// L = mapping (128 for images), so 64 bands by default; in float32 the bands above ~2²³ only alias,
/// exactly as in PyTorch (<see cref="Ops.PositionalEncoding"/>). x [N, in] → [N, 2·in·bands].
/// </summary>
public sealed class PositionalEncoding : Module
{
    /// <summary>Creates the encoding.</summary>
    public PositionalEncoding(int inFeatures, int levels = 64)
    {
        if (levels <= 0) throw new ArgumentException($"Positional encoding needs at least one level, got {levels}.");
        if (levels > InrEncodingKernels.MaxBands) throw new ArgumentException($"Positional encoding supports at most {InrEncodingKernels.MaxBands} bands, got {levels}.");
        InFeatures = inFeatures; Levels = levels;
        _encode = x => Ops.PositionalEncoding(x, Levels);
    }

    /// <summary>Input coordinates.</summary>
    public int InFeatures { get; }
    /// <summary>Frequency bands (L/2).</summary>
    public int Levels { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures => 2 * InFeatures * Levels;

    private readonly EncodingCache _cache = new();
    // Created once: a lambda at the call would allocate a delegate every step.
    private readonly Func<Tensor, Tensor> _encode;

    /// <inheritdoc />
    /// <remarks>
    /// The output for an input that requires no gradient is kept and returned again for the same input (the same
    /// coordinates every step; see <see cref="EncodingCache"/>): do not modify or dispose it.
    /// </remarks>
    public override Tensor Forward(Tensor input) => _cache.GetOrEncode(input, _encode);
}

/// <summary>Activations of the INR architectures, applied after a Linear layer.</summary>
public enum FieldActivation
{
    /// <summary>max(0, z) (fused into the Linear).</summary>
    Relu,
    /// <summary>exp(−z² / (2a²)).</summary>
    Gaussian,
    /// <summary>sin(ω z) (SIREN).</summary>
    Sine,
    /// <summary>sin(ω (|z| + 1) z) with no gradient through (|z| + 1) (FINER).</summary>
    Finer,
    /// <summary>sin(ω z) · exp(−(σ z)²) (real Gabor wavelet, WIRE-real).</summary>
    GaborReal,
}

/// <summary>The activation functions, as fused tensor ops.</summary>
public static class FieldActivations
{
    /// <summary>Applies <paramref name="kind"/> with its parameters (ω or a, and σ for Gabor).</summary>
    public static Tensor Apply(FieldActivation kind, Tensor z, double p, double sigma)
    {
        switch (kind)
        {
            case FieldActivation.Relu: return Ops.Relu(z);
            // Fused single-pass kernels (forward and derivative), Ops.InrActivations.cs.
            case FieldActivation.Gaussian: return Ops.Gaussian(z, (float)p);
            case FieldActivation.Sine: return Ops.Sine(z, (float)p);
            case FieldActivation.Finer: return Ops.Finer(z, (float)p);
            case FieldActivation.GaborReal: return Ops.RealGabor(z, (float)p, (float)sigma);
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
