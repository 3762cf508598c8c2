using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>max(0, x). Inside a <see cref="Sequential"/> right after a plain <see cref="Linear"/> or <see cref="Conv2d"/>, it is fused into that layer.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Relu(input);
}
