using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Complex affine layer y = x·Wᵀ + b with W = Wr + i·Wi [out, in] and b = br + i·bi [out], on complex
/// activations in MuonInr's block layout ([N, 2·in] = [Re | Im]; see <see cref="Ops.ComplexGabor"/>).
/// It runs as one real GEMM on the block weight [[Wr, −Wi], [Wi, Wr]] (<see cref="Ops.ComplexWeightBlock"/>),
/// so autograd flows through the real/imaginary pairs. With <see cref="RealPartOnly"/> it returns Re(y)
/// [N, out] and has no imaginary bias (it could not affect the output). Initialisation as PyTorch's
/// <c>nn.Linear(dtype=torch.cfloat)</c>: real and imaginary parts of weight and bias each U(−1/√in, 1/√in).
/// </summary>
public sealed class ComplexLinear : Module
{
    /// <summary>Creates the layer, drawing Wr, Wi, br, bi in that order from <paramref name="rng"/>.</summary>
    public ComplexLinear(int inFeatures, int outFeatures, Rng rng, bool realPartOnly = false)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"ComplexLinear needs positive sizes, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures; OutFeatures = outFeatures; RealPartOnly = realPartOnly;
        float bound = 1f / MathF.Sqrt(inFeatures);
        WeightReal = RegisterParameter("weight_real", new Parameter(Tensor.Uniform(rng, -bound, bound, outFeatures, inFeatures).Escape()));
        WeightImaginary = RegisterParameter("weight_imag", new Parameter(Tensor.Uniform(rng, -bound, bound, outFeatures, inFeatures).Escape()));
        BiasReal = RegisterParameter("bias_real", new Parameter(Tensor.Uniform(rng, -bound, bound, outFeatures).Escape()));
        var bi = Tensor.Uniform(rng, -bound, bound, outFeatures).Escape();
        if (realPartOnly) bi.Dispose();
        else BiasImaginary = RegisterParameter("bias_imag", new Parameter(bi));
    }

    /// <summary>Complex input features (the input tensor has twice as many columns).</summary>
    public int InFeatures { get; }
    /// <summary>Complex output features.</summary>
    public int OutFeatures { get; }
    /// <summary>Whether the layer returns only the real part of its output.</summary>
    public bool RealPartOnly { get; }
    /// <summary>Re W [out, in].</summary>
    public Parameter WeightReal { get; }
    /// <summary>Im W [out, in].</summary>
    public Parameter WeightImaginary { get; }
    /// <summary>Re b [out].</summary>
    public Parameter BiasReal { get; }
    /// <summary>Im b [out], or null when only the real part is returned.</summary>
    public Parameter? BiasImaginary { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var w = Ops.ComplexWeightBlock(WeightReal, WeightImaginary, RealPartOnly);
        var b = RealPartOnly ? (Tensor)BiasReal : Ops.ComplexBiasBlock(BiasReal, BiasImaginary!);
        return Ops.Linear(input, w, b);
    }

    /// <summary>
    /// The real block matrix [[Wr, −Wi], [Wi, Wr]] [2·out, 2·in] as a new array: it has every singular value
    /// of W twice, so the rank diagnostics of W follow from it.
    /// </summary>
    public float[] BlockMatrix()
    {
        int o = OutFeatures, i = InFeatures;
        var b = new float[4 * o * i];
        var wr = WeightReal.Span; var wi = WeightImaginary.Span;
        for (int r = 0; r < o; r++)
            for (int c = 0; c < i; c++)
            {
                float re = wr[r * i + c], im = wi[r * i + c];
                b[r * 2 * i + c] = re; b[r * 2 * i + i + c] = -im;
                b[(o + r) * 2 * i + c] = im; b[(o + r) * 2 * i + i + c] = re;
            }
        return b;
    }
}
