namespace MuonInr.Tensors;

/// <summary>
/// A fixed linear map y = A·x on flat vectors with its adjoint Aᵀ, usable inside the graph through
/// <see cref="Ops.Apply"/> (its gradient is Aᵀ·dy). Forward models of inverse problems (the Radon
/// transform of CT, the antialiased downsampler of super-resolution) are such operators.
/// </summary>
public interface ILinearOperator
{
    /// <summary>Length of x.</summary>
    int InputLength { get; }

    /// <summary>Length of y.</summary>
    int OutputLength { get; }

    /// <summary>y = A·x (y is overwritten).</summary>
    void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>x = Aᵀ·y (x is overwritten).</summary>
    void ApplyAdjoint(ReadOnlySpan<float> y, Span<float> x);
}
