using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Flattens every dimension after the first: (N, d₁, …, d_k) → (N, d₁·…·d_k), e.g. NHWC feature maps
/// (N, H, W, C) into the (N, H·W·C) rows a <see cref="Linear"/> layer takes, in (h, w, c) order. A copy
/// (MuonInr has no views), differentiable through <see cref="Ops.Reshape"/>.
/// </summary>
public sealed class Flatten : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 1) throw new ArgumentException($"Flatten needs a batch dimension, got a scalar of shape {Tensor.ShapeString(input.Shape)}.");
        int n = input.Dim(0);
        return Ops.Reshape(input, n, n == 0 ? 0 : input.Length / n);
    }
}
