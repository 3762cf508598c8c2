using MuonInr.Autograd;
using MuonInr.Kernels;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// SIREN's activation y = sin(ω x), elementwise (Sitzmann et al. 2020). A SIREN layer is a plain
    /// Linear followed by this op: sin(ω (W x + b)). Backward: dx = dy · ω cos(ω x).
    /// </summary>
    public static Tensor Sine(Tensor x, float omega)
    {
        var y = Tensor.Uninitialized(x.Shape);
        InrActivationKernels.SineForward(x.Span, y.Span, omega);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.Sine) { A = x, S0 = omega });
        return y;
    }

    /// <summary>
    /// Gaussian activation y = exp(−x² / (2a²)), elementwise (Ramasinghe and Lucey 2022); a is the width
    /// (the paper's image default is 0.0236). Backward: dx = dy · (−x / a²) · y.
    /// </summary>
    public static Tensor Gaussian(Tensor x, float a)
    {
        if (!(a > 0f) || !float.IsFinite(a)) throw new ArgumentOutOfRangeException(nameof(a), $"Gaussian: width a must be positive and finite, got {a}.");
        var y = Tensor.Uninitialized(x.Shape);
        InrActivationKernels.GaussianForward(x.Span, y.Span, a);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.Gaussian) { A = x, S0 = a });
        return y;
    }

    /// <summary>
    /// FINER's activation y = sin(ω (|x| + 1) x), elementwise (Liu et al. 2024). As in the reference
    /// code, the scale |x| + 1 is a constant for autograd: dx = dy · ω (|x| + 1) cos(ω (|x| + 1) x).
    /// </summary>
    public static Tensor Finer(Tensor x, float omega)
    {
        var y = Tensor.Uninitialized(x.Shape);
        InrActivationKernels.FinerForward(x.Span, y.Span, omega);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.Finer) { A = x, S0 = omega });
        return y;
    }

    /// <summary>
    /// Real Gabor wavelet y = sin(ω x) · exp(−(σ x)²), elementwise: the real-valued variant of WIRE
    /// (Saragadam et al. 2023) used by the paper's "wire-real" model.
    /// </summary>
    public static Tensor RealGabor(Tensor x, float omega, float sigma)
    {
        var y = Tensor.Uninitialized(x.Shape);
        InrActivationKernels.RealGaborForward(x.Span, y.Span, omega, sigma);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.RealGabor) { A = x, S0 = omega, I0 = BitConverter.SingleToInt32Bits(sigma) });
        return y;
    }

    /// <summary>
    /// WIRE's complex Gabor wavelet y = exp(iω z − |σ z|²) (Saragadam et al. 2023) on complex tensors in
    /// the block layout of MuonInr: a complex [N, F] tensor is a real [N, 2F] tensor whose first F columns
    /// are the real parts and last F columns the imaginary parts, so complex layers are ordinary GEMMs
    /// on block weights (<see cref="ComplexWeightBlock"/>) and autograd flows through real/imaginary pairs.
    /// </summary>
    /// <param name="z">Complex input [N, 2F] = [Re | Im], or, when <paramref name="realInput"/>, a real
    /// input [N, F] (imaginary part zero: WIRE's first layer is real).</param>
    /// <param name="omega">Frequency ω.</param>
    /// <param name="sigma">Envelope scale σ.</param>
    /// <param name="realInput">Whether <paramref name="z"/> is real.</param>
    /// <returns>[N, 2F] = [Re y | Im y], y = exp(−ω b − σ²(a² + b²)) (cos ω a + i sin ω a) for z = a + ib.</returns>
    public static Tensor ComplexGabor(Tensor z, float omega, float sigma, bool realInput = false)
    {
        RequireRank(z, 2, "ComplexGabor", "input");
        int rows = z.Dim(0), cols = z.Dim(1);
        if (!realInput && cols % 2 != 0)
            throw new ArgumentException($"ComplexGabor: a complex input [N, 2F] needs an even number of columns, got shape {Tensor.ShapeString(z.Shape)}.");
        int features = realInput ? cols : cols / 2;
        var y = Tensor.Uninitialized(rows, 2 * features);
        InrActivationKernels.ComplexGaborForward(z.Span, y.Span, rows, features, omega, sigma, realInput);
        if (Tracks(z))
            Record(y, new TapeNode(OpKind.ComplexGabor) { A = z, S0 = omega, I0 = BitConverter.SingleToInt32Bits(sigma), I1 = features, F0 = realInput });
        return y;
    }
}
