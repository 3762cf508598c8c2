using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Tensors;

/// <summary>Forward values and argument checking of Conv2d, MaxPool2d and CrossEntropy.</summary>
public class ConvNetOpsTests
{
    /// <summary>
    /// Conv2d's im2col + GEMM forward against the direct double loop over 60 random geometries, including
    /// sizes large enough for the GEMM's blocked and multi-threaded paths. Tolerance 1e-5 of the output's
    /// scale: float32 sums of ≤ 5·5·17 = 425 products round far below that.
    /// </summary>
    [Fact]
    public void Conv2d_forward_matches_the_direct_loop_over_many_sizes()
    {
        var rng = new Rng(2024);
        for (int trial = 0; trial < 60; trial++)
        {
            bool big = trial % 10 == 9;
            int n = 1 + rng.NextInt(big ? 4 : 3), cin = 1 + rng.NextInt(big ? 17 : 4), cout = 1 + rng.NextInt(big ? 33 : 6);
            int kh = 1 + rng.NextInt(big ? 5 : 4), kw = 1 + rng.NextInt(big ? 5 : 4);
            int stride = 1 + rng.NextInt(3), padding = rng.NextInt(3);
            int h = Math.Max(1, kh - 2 * padding) + rng.NextInt(big ? 20 : 8), w = Math.Max(1, kw - 2 * padding) + rng.NextInt(big ? 20 : 8);
            bool bias = rng.NextInt(2) == 0;
            using var scope = new TensorScope();
            var x = Tensor.Uniform(rng, -1, 1, n, h, w, cin);
            var wt = Tensor.Uniform(rng, -1, 1, cout, kh, kw, cin);
            var b = bias ? Tensor.Uniform(rng, -1, 1, cout) : null;
            var y = Ops.Conv2d(x, wt, b, stride, padding);
            var expected = DoubleReference.Conv2d(D(x), D(wt), b is null ? null : D(b), n, h, w, cin, cout, kh, kw, stride, padding);
            int oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1;
            Assert.Equal([n, oh, ow, cout], y.ShapeArray);
            double scale = expected.Max(Math.Abs) + 1e-30;
            var got = y.ToArray();
            for (int i = 0; i < got.Length; i++)
                Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-5 * scale,
                    $"trial {trial}: x {Tensor.ShapeString(x.Shape)}, w {Tensor.ShapeString(wt.Shape)}, stride {stride}, padding {padding}: element {i} is {got[i]}, expected {expected[i]}");
        }
    }

    private static double[] D(Tensor t) => t.ToArray().Select(v => (double)v).ToArray();

    [Fact]
    public void Conv2d_fused_relu_equals_relu_of_conv()
    {
        var rng = new Rng(5);
        using var scope = new TensorScope();
        var x = Tensor.Uniform(rng, -1, 1, 2, 6, 6, 3);
        var w = Tensor.Uniform(rng, -1, 1, 4, 3, 3, 3);
        var b = Tensor.Uniform(rng, -1, 1, 4);
        Assert.Equal(Ops.Relu(Ops.Conv2d(x, w, b, 1, 1)).ToArray(), Ops.Conv2d(x, w, b, 1, 1, FusedActivation.Relu).ToArray());
    }

    [Fact]
    public void Conv2d_rejects_mismatched_shapes_with_clear_messages()
    {
        using var scope = new TensorScope();
        var x = Tensor.Zeros(1, 5, 5, 3);
        var ex = Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Tensor.Zeros(4, 3, 3, 2)));
        Assert.Contains("3 channels", ex.Message);
        Assert.Contains("does not fit", Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Tensor.Zeros(4, 7, 7, 3))).Message);
        Assert.Contains("bias", Assert.Throws<ArgumentException>(() => Ops.Conv2d(x, Tensor.Zeros(4, 3, 3, 3), Tensor.Zeros(3))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Conv2d(x, Tensor.Zeros(4, 3, 3, 3), null, stride: 0));
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(5, 5, 3), Tensor.Zeros(4, 3, 3, 3))).Message);
    }

    [Fact]
    public void MaxPool2d_picks_window_maxima_and_defaults_stride_to_size()
    {
        using var scope = new TensorScope();
        // One image 4×4, one channel: values 0..15 row-major; 2×2 windows → maxima 5, 7, 13, 15.
        var x = Tensor.FromData(Enumerable.Range(0, 16).Select(i => (float)i).ToArray(), 1, 4, 4, 1);
        var y = Ops.MaxPool2d(x, 2);
        Assert.Equal([1, 2, 2, 1], y.ShapeArray);
        Assert.Equal([5f, 7f, 13f, 15f], y.ToArray());
        // Channels pool independently.
        var x2 = Tensor.FromData([1, -1, 2, -2, 3, -3, 4, -4], 1, 2, 2, 2);
        Assert.Equal([4f, -1f], Ops.MaxPool2d(x2, 2).ToArray());
    }

    [Fact]
    public void MaxPool2d_routes_tied_gradients_to_one_element()
    {
        var x = Tensor.Full(1f, 1, 2, 2, 1).Escape();
        x.RequiresGrad = true;
        using (new TensorScope()) Ops.Sum(Ops.MaxPool2d(x, 2)).Backward();
        Assert.Equal([1f, 0f, 0f, 0f], x.Grad!.ToArray());
    }

    /// <summary>
    /// Many channels (SIMD blocks plus a scalar tail) with many ties and a NaN: forward maxima and the
    /// routing of the gradient to the first maximum in row-major window order (a NaN wins) match a plain loop.
    /// </summary>
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(2, 2)]
    public void MaxPool2d_simd_channels_follow_the_first_maximum_rule(int size, int stride)
    {
        int n = 2, h = 7, w = 6, c = 19;
        var rng = new Rng(8);
        var x = Tensor.Zeros(n, h, w, c).Escape();
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextInt(4);   // values 0..3: ties everywhere
        x[5 * c + 3] = float.NaN;
        x.RequiresGrad = true;
        int oh = (h - size) / stride + 1, ow = (w - size) / stride + 1;
        var expectedY = new float[n * oh * ow * c];
        var expectedG = new float[x.Length];
        var g = Enumerable.Range(0, expectedY.Length).Select(i => 1f + i % 7).ToArray();
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        int best = -1;
                        for (int ky = 0; ky < size; ky++)
                            for (int kx = 0; kx < size; kx++)
                            {
                                int at = ((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch;
                                if (best < 0 || x[at] > x[best] || float.IsNaN(x[at]) && !float.IsNaN(x[best])) best = at;
                            }
                        int o = ((b * oh + oy) * ow + ox) * c + ch;
                        expectedY[o] = x[best];
                        expectedG[best] += g[o];
                    }
        using (new TensorScope())
        {
            var y = Ops.MaxPool2d(x, size, stride);
            Assert.Equal(expectedY, y.ToArray());
            y.Backward(Tensor.FromData(g, y.ShapeArray));
        }
        Assert.Equal(expectedG, x.Grad!.ToArray());
    }

    [Fact]
    public void CrossEntropy_matches_log_softmax_and_stays_finite_for_huge_logits()
    {
        using var scope = new TensorScope();
        var z = Tensor.FromData([1f, 2f, 3f, 1000f, -1000f, 0f], 2, 3);
        double row0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 2;   // label 1
        double row1 = 0;                                                       // label 0, logit 1000 dominates: −log 1
        Assert.Equal((row0 + row1) / 2, Ops.CrossEntropy(z, [1, 0]).Item(), 5);
        Assert.True(float.IsFinite(Ops.CrossEntropy(z, [2, 2]).Item()));
        // Uniform logits: log K.
        Assert.Equal(Math.Log(10), Ops.CrossEntropy(Tensor.Zeros(4, 10), [0, 3, 9, 5]).Item(), 5);
    }

    [Fact]
    public void CrossEntropy_refuses_labels_out_of_range_and_wrong_counts()
    {
        using var scope = new TensorScope();
        var z = Tensor.Zeros(2, 3);
        var ex = Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(z, [0, 3]));
        Assert.Contains("label 3 at row 1", ex.Message);
        Assert.Contains("[0, 2]", ex.Message);
        Assert.Contains("label -1", Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(z, [-1, 0])).Message);
        Assert.Contains("1 labels", Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(z, [0])).Message);
    }
}
