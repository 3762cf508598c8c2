using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// A trainable tensor: a leaf with <see cref="Tensor.RequiresGrad"/> set, owned by its module (never
/// by a <see cref="TensorScope"/>), whose gradient accumulates across backward passes until
/// <see cref="ZeroGrad"/>.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Adopts the storage of <paramref name="initial"/> (which must not be used afterwards).</summary>
    public Parameter(Tensor initial, string? name = null) : base(initial)
    {
        RequiresGrad = true;
        Name = name;
    }

    /// <summary>Drops the gradient (PyTorch's <c>zero_grad(set_to_none=True)</c>): the next backward writes instead of adding.</summary>
    public void ZeroGrad()
    {
        if (Grad is { } g) { Grad = null; g.Dispose(); }
    }
}
