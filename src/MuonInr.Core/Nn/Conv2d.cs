using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// 2-D convolution layer on NHWC activations: input (N, H, W, Cin) → (N, OH, OW, Cout), zero padding,
/// square kernel. Weight (Cout, kh, kw, Cin) and bias (Cout) are drawn from U(−1/√fan_in, 1/√fan_in)
/// with fan_in = Cin·kh·kw — what PyTorch's <c>torch.nn.Conv2d</c> default
/// (<c>kaiming_uniform_(a=√5)</c> for the weight, the same bound for the bias) amounts to. Muon treats
/// the weight as the matrix (Cout, kh·kw·Cin), the one the forward GEMM multiplies by.
/// </summary>
/// <remarks>
/// PyTorch stores filters as (Cout, Cin, kh, kw); permute them by (0, 2, 3, 1) to load them here.
/// Inside a <see cref="Sequential"/>, a <see cref="ReLU"/> right after a plain Conv2d is fused into it.
/// </remarks>
public sealed class Conv2d : Module
{
    /// <summary>
    /// Creates the layer, drawing weight then bias from <paramref name="rng"/>. Defaults: stride 1,
    /// padding 0, with bias, no fused activation.
    /// </summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, bool bias = true,
        FusedActivation activation = FusedActivation.None)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"Conv2d needs positive sizes, got in={inChannels}, out={outChannels}, kernel={kernelSize}.");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"Conv2d: stride must be at least 1, got {stride}.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"Conv2d: padding must be non-negative, got {padding}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Activation = activation;
        float bound = 1f / MathF.Sqrt(inChannels * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Uniform(rng, -bound, bound, outChannels, kernelSize, kernelSize, inChannels).Escape()));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Uniform(rng, -bound, bound, outChannels).Escape()));
    }

    /// <summary>Input channels Cin.</summary>
    public int InChannels { get; }

    /// <summary>Output channels Cout.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows (1 by default).</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side (0 by default).</summary>
    public int Padding { get; }

    /// <summary>The fused activation (None for a plain convolution).</summary>
    public FusedActivation Activation { get; set; }

    /// <summary>Weight (Cout, kh, kw, Cin).</summary>
    public Parameter Weight { get; }

    /// <summary>Bias (Cout), or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Conv2d(input, Weight, Bias, Stride, Padding, Activation);

    /// <summary>Forward with an explicit fused activation (used by <see cref="Sequential"/> to fuse a following ReLU).</summary>
    public Tensor Forward(Tensor input, FusedActivation activation) => Ops.Conv2d(input, Weight, Bias, Stride, Padding, activation);
}
