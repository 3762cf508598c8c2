using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Kernels;

public class ElementwiseKernelTests
{
    // Every length 0..257 covers empty, sub-vector, exact multiples and tails of every vector width.
    public static IEnumerable<object[]> Lengths() => Enumerable.Range(0, 258).Where(n => n < 40 || n % 7 == 0 || n > 250).Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Bias_activation_matches_scalar_reference(int cols)
    {
        var rng = new Rng((ulong)cols + 1);
        foreach (int rows in new[] { 1, 3 })
        foreach (var act in new[] { FusedActivation.None, FusedActivation.Relu })
        foreach (bool withBias in new[] { false, true })
        {
            var y = new float[rows * cols]; rng.FillUniform(y, -1, 1);
            var bias = withBias ? new float[cols] : []; rng.FillUniform(bias, -1, 1);
            var expected = new float[y.Length];
            for (int i = 0; i < y.Length; i++)
            {
                float v = y[i] + (withBias ? bias[i % cols] : 0f);
                expected[i] = act == FusedActivation.Relu ? Math.Max(v, 0f) : v;
            }
            LinearEpilogue.BiasActivation(y, rows, cols, bias, act);
            Assert.Equal(expected, y);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Activation_backward_masks_and_sums_bias_gradient(int cols)
    {
        var rng = new Rng((ulong)cols + 100);
        int rows = 5;
        foreach (var act in new[] { FusedActivation.None, FusedActivation.Relu })
        foreach (bool accumulate in new[] { false, true })
        {
            var dy = new float[rows * cols]; var y = new float[rows * cols];
            rng.FillUniform(dy, -1, 1); rng.FillUniform(y, -1, 1);
            var biasGrad = new float[cols]; rng.FillUniform(biasGrad, -1, 1);
            var expectedDz = new float[dy.Length]; var expectedB = (float[])biasGrad.Clone();
            if (!accumulate) Array.Clear(expectedB);
            for (int i = 0; i < dy.Length; i++)
            {
                expectedDz[i] = act == FusedActivation.Relu && !(y[i] > 0f) ? 0f : dy[i];
            }
            for (int c = 0; c < cols; c++)
            {
                double s = 0;
                for (int r = 0; r < rows; r++) s += expectedDz[r * cols + c];
                expectedB[c] += (float)s;
            }
            LinearEpilogue.ActivationBackward(dy, y, rows, cols, act, biasGrad, accumulate);
            Assert.Equal(expectedDz, dy);
            for (int c = 0; c < cols; c++) Assert.Equal(expectedB[c], biasGrad[c], 1e-5f);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Mse_kernel_matches_double_reference(int n)
    {
        var rng = new Rng((ulong)n + 500);
        var p = new float[n]; var t = new float[n]; rng.FillUniform(p, -2, 2); rng.FillUniform(t, -2, 2);
        var g = new float[n];
        double loss = MseKernel.LossAndGradient(p, t, g);
        if (n == 0) { Assert.True(double.IsNaN(loss)); return; }
        double s = 0;
        for (int i = 0; i < n; i++) { double d = (double)p[i] - t[i]; s += d * d; Assert.Equal((float)(2 * d / n), g[i], 1e-6f); }
        // Float partial sums over blocks of at most 64 vectors, flushed into double: ~1e-7 relative.
        Assert.True(Math.Abs(s / n - loss) <= 1e-6 * (s / n), $"n={n}: kernel {loss}, reference {s / n}");
    }

    [Fact]
    public void Large_inputs_take_the_parallel_path_and_stay_deterministic()
    {
        int rows = 4096, cols = 64;
        var rng = new Rng(3);
        var dy = new float[rows * cols]; var y = new float[rows * cols]; rng.FillUniform(dy, -1, 1); rng.FillUniform(y, -1, 1);
        var dy2 = (float[])dy.Clone();
        var b1 = new float[cols]; var b2 = new float[cols];
        LinearEpilogue.ActivationBackward(dy, y, rows, cols, FusedActivation.Relu, b1, false);
        LinearEpilogue.ActivationBackward(dy2, y, rows, cols, FusedActivation.Relu, b2, false);
        Assert.Equal(b1, b2);
        var p = new float[1 << 20]; var t = new float[1 << 20]; rng.FillUniform(p, -1, 1); rng.FillUniform(t, -1, 1);
        Assert.Equal(MseKernel.LossAndGradient(p, t, default), MseKernel.LossAndGradient(p, t, default));
    }
}
