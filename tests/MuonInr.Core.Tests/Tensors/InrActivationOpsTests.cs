using MuonInr.Autograd;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Tensors;

/// <summary>
/// The INR activation and encoding ops: forward against scalar double references over many lengths
/// (crossing the kernels' vector and block tails), and the backward rules against central differences.
/// Central differences perturb one input element at a time through the float32 op and sum the random
/// projection loss L = Σ r·y in double; the ops are elementwise (or row-local), so everything but the
/// perturbed outputs cancels exactly and the float noise stays near 1e-7 / h.
/// Tolerance: |analytic − numeric| ≤ 2e-3 · (1 + |numeric|) with h = 1e-3. The tight check of these rules,
/// against central differences of double-precision references, is in Autograd/GradientTests.
/// </summary>
public class InrActivationOpsTests
{
    private const double Step = 1e-3;
    private const double Tolerance = 2e-3;
    private static readonly int[] Lengths = [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1023, 1024, 1025, 2500];

    private static Tensor RandomTensor(ulong seed, float scale, params int[] shape)
        => Tensor.Uniform(new Rng(seed), -scale, scale, shape);

    private static void AssertForward(Func<Tensor, Tensor> op, Func<double, double> reference, float scale, double tol = 2e-6)
    {
        foreach (int n in Lengths)
        {
            using var scope = new TensorScope();
            var x = RandomTensor((ulong)n + 11, scale, n);
            var y = op(x);
            Assert.Equal(n, y.Length);
            for (int i = 0; i < n; i++)
            {
                double want = reference(x[i]);
                Assert.True(Math.Abs(y[i] - want) <= tol * (1 + Math.Abs(want)), $"n={n} i={i}: x={x[i]} got {y[i]}, want {want}");
            }
        }
    }

    /// <summary>Checks x.Grad of L = Σ r·op(x) against central differences of <paramref name="numeric"/> (default: the op itself).</summary>
    private static void AssertGradient(Func<Tensor, Tensor> op, Tensor x, Func<Tensor, int, double>? numeric = null, double tol = Tolerance)
    {
        x.RequiresGrad = true;
        var y = op(x);
        var r = RandomTensor(99, 1f, y.ShapeArray);
        y.Backward(r);
        var analytic = x.Grad!.ToArray();
        x.Grad.Dispose(); x.Grad = null;
        numeric ??= (t, i) => CentralDifference(op, t, r, i);
        for (int i = 0; i < x.Length; i++)
        {
            double n = numeric(x, i);
            Assert.True(Math.Abs(analytic[i] - n) <= tol * (1 + Math.Abs(n)), $"element {i}: analytic {analytic[i]}, numeric {n}");
        }
    }

    private static double CentralDifference(Func<Tensor, Tensor> op, Tensor x, Tensor r, int i)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = new TensorScope();
        float x0 = x[i];
        x[i] = (float)(x0 + Step); double lp = Projection(op(x), r);
        x[i] = (float)(x0 - Step); double lm = Projection(op(x), r);
        x[i] = x0;
        return (lp - lm) / (2 * Step);
    }

    private static double Projection(Tensor y, Tensor r)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * r[i];
        return s;
    }

    [Fact]
    public void SineMatchesReference() => AssertForward(x => Ops.Sine(x, 30f), v => Math.Sin(30f * v), 1f);

    [Fact]
    public void GaussianMatchesReference() => AssertForward(x => Ops.Gaussian(x, 0.3f), v => Math.Exp(-v * v / (2 * 0.3 * 0.3)), 1f);

    [Fact]
    public void FinerMatchesReference() => AssertForward(x => Ops.Finer(x, 20f), v => Math.Sin(20f * (Math.Abs(v) + 1) * v), 1f, 1e-5);

    [Fact]
    public void RealGaborMatchesReference()
        => AssertForward(x => Ops.RealGabor(x, 20f, 3f), v => Math.Sin(20f * v) * Math.Exp(-(3f * v) * (3f * v)), 1f);

    [Fact]
    public void SineGradient()
    {
        using var scope = new TensorScope();
        AssertGradient(x => Ops.Sine(x, 5f), RandomTensor(1, 1f, 3, 13));
    }

    [Fact]
    public void GaussianGradient()
    {
        using var scope = new TensorScope();
        AssertGradient(x => Ops.Gaussian(x, 0.5f), RandomTensor(2, 1.5f, 3, 13));
    }

    [Fact]
    public void RealGaborGradient()
    {
        using var scope = new TensorScope();
        AssertGradient(x => Ops.RealGabor(x, 4f, 1.5f), RandomTensor(3, 1f, 3, 13));
    }

    [Fact]
    public void FinerGradientHoldsScaleConstant()
    {
        using var scope = new TensorScope();
        const float omega = 3f;
        var x = RandomTensor(4, 1.5f, 3, 13);
        var r = RandomTensor(99, 1f, 3, 13);
        // Central difference of the surrogate sin(ω s₀ x) with s₀ = |x₀| + 1 frozen (double, exact enough).
        AssertGradient(t => Ops.Finer(t, omega), x, (t, i) =>
        {
            double x0 = t[i], s0 = omega * ((double)MathF.Abs(t[i]) + 1);
            return r[i] * (Math.Sin(s0 * (x0 + Step)) - Math.Sin(s0 * (x0 - Step))) / (2 * Step);
        });
        // …which differs from the true derivative ω(2|x| + 1) cos(…), so the stop-gradient is real.
        x.RequiresGrad = true;
        var y = Ops.Finer(x, omega);
        y.Backward(r);
        double x1 = x[1];
        double trueDerivative = r[1] * omega * (2 * Math.Abs(x1) + 1) * Math.Cos(omega * (Math.Abs(x1) + 1) * x1);
        Assert.True(Math.Abs(x.Grad![1] - trueDerivative) > 1e-3);
    }

    [Fact]
    public void GradientsAccumulateIntoExistingGrad()
    {
        using var scope = new TensorScope();
        var x = RandomTensor(5, 1f, 4, 9);
        x.RequiresGrad = true;
        var r = RandomTensor(6, 1f, 4, 9);
        Ops.Sine(x, 3f).Backward(r);
        var once = x.Grad!.ToArray();
        Ops.Sine(x, 3f).Backward(r);
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], x.Grad[i], 1e-5f);
    }

    [Fact]
    public void ComplexGaborMatchesComplexArithmetic()
    {
        using var scope = new TensorScope();
        const float omega = 20f, sigma = 10f;
        // Hand example: z = 0.01 + 0.02i, ω = 20, σ = 10:
        // iωz − |σz|² = (−0.4 − 0.05) + 0.2i → e^(−0.45)(cos 0.2 + i sin 0.2) = 0.624918 + 0.126677i.
        var z = Tensor.FromData([0.01f, 0.02f], 1, 2);
        var y = Ops.ComplexGabor(z, omega, sigma);
        Assert.Equal(0.6249180, y[0], 5e-6);
        Assert.Equal(0.1266772, y[1], 5e-6);

        foreach (int f in new[] { 1, 7, 8, 9, 33 })
        {
            var zz = RandomTensor((ulong)f, 0.2f, 3, 2 * f);
            var yy = Ops.ComplexGabor(zz, omega, sigma);
            for (int r = 0; r < 3; r++)
                for (int j = 0; j < f; j++)
                {
                    var c = new System.Numerics.Complex(zz[r, j], zz[r, f + j]);
                    var want = System.Numerics.Complex.Exp(System.Numerics.Complex.ImaginaryOne * omega * c - Math.Pow(sigma * c.Magnitude, 2));
                    Assert.Equal(want.Real, yy[r, j], 2e-6);
                    Assert.Equal(want.Imaginary, yy[r, f + j], 2e-6);
                }
            // a real input is the complex one with zero imaginary part
            var real = RandomTensor((ulong)f + 50, 0.2f, 3, f);
            var asComplex = Tensor.Zeros(3, 2 * f);
            for (int r = 0; r < 3; r++) for (int j = 0; j < f; j++) asComplex[r, j] = real[r, j];
            Assert.Equal(Ops.ComplexGabor(asComplex, omega, sigma).ToArray(), Ops.ComplexGabor(real, omega, sigma, realInput: true).ToArray());
        }
    }

    [Fact]
    public void ComplexGaborGradient()
    {
        using var scope = new TensorScope();
        AssertGradient(z => Ops.ComplexGabor(z, 4f, 2f), RandomTensor(7, 0.5f, 3, 2 * 11));
        AssertGradient(z => Ops.ComplexGabor(z, 4f, 2f, realInput: true), RandomTensor(8, 0.5f, 3, 11));
    }

    [Fact]
    public void ComplexWeightBlockLayoutAndGradient()
    {
        using var scope = new TensorScope();
        var wr = Tensor.FromData([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var wi = Tensor.FromData([10f, 20f, 30f, 40f, 50f, 60f], 2, 3);
        var b = Ops.ComplexWeightBlock(wr, wi);
        Assert.Equal([4, 6], b.ShapeArray);
        Assert.Equal([1f, 2f, 3f, -10f, -20f, -30f], b.ToArray()[0..6]);
        Assert.Equal([40f, 50f, 60f, 4f, 5f, 6f], b.ToArray()[18..24]);
        var half = Ops.ComplexWeightBlock(wr, wi, realPartOnly: true);
        Assert.Equal(b.ToArray()[0..12], half.ToArray());

        foreach (bool realOnly in new[] { false, true })
        {
            var pr = RandomTensor(9, 1f, 3, 5); var pi = RandomTensor(10, 1f, 3, 5);
            AssertGradient(t => Ops.ComplexWeightBlock(t, pi, realOnly), pr);
            AssertGradient(t => Ops.ComplexWeightBlock(pr, t, realOnly), pi);
        }
        var br = RandomTensor(11, 1f, 4); var bi = RandomTensor(12, 1f, 4);
        Assert.Equal([.. br.ToArray(), .. bi.ToArray()], Ops.ComplexBiasBlock(br, bi).ToArray());
        AssertGradient(t => Ops.ComplexBiasBlock(t, bi), br);
        AssertGradient(t => Ops.ComplexBiasBlock(br, t), bi);
    }

    [Fact]
    public void ComplexLinearThroughBlocksIsComplexMatrixProduct()
    {
        using var scope = new TensorScope();
        int n = 4, inF = 3, outF = 5;
        var z = RandomTensor(13, 1f, n, 2 * inF);
        var wr = RandomTensor(14, 1f, outF, inF); var wi = RandomTensor(15, 1f, outF, inF);
        var br = RandomTensor(16, 1f, outF); var bi = RandomTensor(17, 1f, outF);
        var y = Ops.Linear(z, Ops.ComplexWeightBlock(wr, wi), Ops.ComplexBiasBlock(br, bi));
        for (int r = 0; r < n; r++)
            for (int o = 0; o < outF; o++)
            {
                var acc = new System.Numerics.Complex(br[o], bi[o]);
                for (int i = 0; i < inF; i++)
                    acc += new System.Numerics.Complex(wr[o, i], wi[o, i]) * new System.Numerics.Complex(z[r, i], z[r, inF + i]);
                Assert.Equal(acc.Real, y[r, o], 1e-5);
                Assert.Equal(acc.Imaginary, y[r, outF + o], 1e-5);
            }
    }

    [Fact]
    public void FourierFeaturesMatchReferenceAndGradient()
    {
        using var scope = new TensorScope();
        foreach (int m in new[] { 1, 5, 8, 17, 40 })
        {
            var x = RandomTensor((ulong)m, 1f, 6, 2);
            var b = RandomTensor((ulong)m + 100, 3f, m, 2);
            var y = Ops.FourierFeatures(x, b);
            Assert.Equal([6, 2 * m], y.ShapeArray);
            for (int r = 0; r < 6; r++)
                for (int j = 0; j < m; j++)
                {
                    double arg = 2 * Math.PI * (x[r, 0] * (double)b[j, 0] + x[r, 1] * (double)b[j, 1]);
                    Assert.Equal(Math.Cos(arg), y[r, j], 1e-5);
                    Assert.Equal(Math.Sin(arg), y[r, m + j], 1e-5);
                }
        }
        var bb = RandomTensor(21, 0.5f, 7, 3);
        AssertGradient(t => Ops.FourierFeatures(t, bb), RandomTensor(22, 1f, 4, 3));
        Assert.False(bb.RequiresGrad);
    }

    [Fact]
    public void PositionalEncodingMatchesReferenceAndGradient()
    {
        using var scope = new TensorScope();
        foreach (int bands in new[] { 1, 3, 10 })
        {
            var x = RandomTensor((ulong)bands, 1f, 130, 2);
            var y = Ops.PositionalEncoding(x, bands);
            Assert.Equal([130, 2 * 2 * bands], y.ShapeArray);
            for (int r = 0; r < 130; r++)
                for (int d = 0; d < 2; d++)
                    for (int k = 0; k < bands; k++)
                    {
                        double arg = Math.ScaleB(Math.PI, k) * x[r, d];
                        int c = d * 2 * bands + 2 * k;
                        Assert.Equal(Math.Sin(arg), y[r, c], 2e-4);
                        Assert.Equal(Math.Cos(arg), y[r, c + 1], 2e-4);
                    }
        }
        AssertGradient(t => Ops.PositionalEncoding(t, 3), RandomTensor(23, 1f, 5, 2), tol: 5e-3);
    }

    [Fact]
    public void OpsOutsideGradModeRecordNothing()
    {
        using var scope = new TensorScope();
        var x = RandomTensor(24, 1f, 2, 4);
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            Assert.True(Ops.Sine(x, 2f).IsLeaf);
            Assert.True(Ops.ComplexGabor(x, 2f, 1f).IsLeaf);
        }
        Assert.False(Ops.Gaussian(x, 1f).IsLeaf);
    }
}
