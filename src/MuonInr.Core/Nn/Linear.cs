using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Affine layer y = x·Wᵀ + b with PyTorch's layout and default initialisation: weight [out, in] and
/// bias [out], both U(−1/√in, 1/√in) (what <c>kaiming_uniform_(a=√5)</c> amounts to).
/// An activation can be fused into the layer (one pass after the GEMM, one before the backward GEMMs).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>Creates the layer, drawing weight then bias from <paramref name="rng"/>.</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true, FusedActivation activation = FusedActivation.None)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Activation = activation;
        float bound = 1f / MathF.Sqrt(inFeatures);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Uniform(rng, -bound, bound, outFeatures, inFeatures).Escape()));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Uniform(rng, -bound, bound, outFeatures).Escape()));
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The fused activation (None for a plain affine layer).</summary>
    public FusedActivation Activation { get; set; }

    /// <summary>Weight [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Linear(input, Weight, Bias, Activation);

    /// <summary>Forward with an explicit fused activation (used by <see cref="Sequential"/> to fuse a following ReLU).</summary>
    public Tensor Forward(Tensor input, FusedActivation activation) => Ops.Linear(input, Weight, Bias, activation);
}
