using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Max pooling of NHWC activations (N, H, W, C) → (N, OH, OW, C) over size×size windows without
/// padding; the stride defaults to the window size, as in PyTorch. No parameters.
/// </summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer; <paramref name="stride"/> null means <paramref name="size"/>.</summary>
    public MaxPool2d(int size, int? stride = null)
    {
        if (size < 1 || stride is < 1) throw new ArgumentOutOfRangeException(nameof(size), $"MaxPool2d: size and stride must be at least 1, got size {size}, stride {stride}.");
        Size = size;
        Stride = stride ?? size;
    }

    /// <summary>Window height and width.</summary>
    public int Size { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.MaxPool2d(input, Size, Stride);
}
