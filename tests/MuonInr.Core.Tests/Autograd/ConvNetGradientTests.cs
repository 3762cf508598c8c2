using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Autograd;

/// <summary>
/// The convolutional-network and classification ops (Conv2d, MaxPool2d, CrossEntropy) checked like every
/// other op in <see cref="GradientTests"/>: float32 autograd against central differences of an
/// independent double-precision reference (<see cref="GradCheck.CheckDouble"/>, <see cref="DoubleReference"/>).
/// </summary>
[Collection(PoolCountersCollection.Name)]
public class ConvNetGradientTests
{
    private static readonly Rng R = new(11);
    private static Tensor L(params int[] shape) => GradCheck.Leaf(R, 0.2f, 1.5f, shape);

    [Theory]
    // n, h, w, cin, cout, kh, kw, stride, padding
    [InlineData(2, 5, 4, 3, 4, 3, 3, 1, 0)]
    [InlineData(2, 5, 5, 2, 3, 3, 3, 1, 1)]
    [InlineData(2, 5, 5, 2, 3, 3, 3, 2, 1)]
    [InlineData(1, 7, 6, 2, 3, 2, 3, 2, 0)]   // non-square kernel, odd sizes, stride 2
    [InlineData(1, 6, 7, 3, 2, 3, 3, 2, 0)]   // stride 2 leaving the last row/column unread
    [InlineData(3, 4, 3, 2, 5, 1, 1, 1, 0)]   // 1×1 convolution
    [InlineData(1, 3, 3, 1, 2, 3, 3, 1, 2)]   // padding wider than needed: border outputs see only zeros and the bias
    public void Conv2d_with_bias(int n, int h, int w, int cin, int cout, int kh, int kw, int stride, int padding)
    {
        GradCheck.CheckDouble(t => Ops.Conv2d(t[0], t[1], t[2], stride, padding),
            t => DoubleReference.Conv2d(t[0], t[1], t[2], n, h, w, cin, cout, kh, kw, stride, padding),
            [L(n, h, w, cin), L(cout, kh, kw, cin), L(cout)]);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void Conv2d_without_bias(int stride, int padding)
    {
        GradCheck.CheckDouble(t => Ops.Conv2d(t[0], t[1], null, stride, padding),
            t => DoubleReference.Conv2d(t[0], t[1], null, 2, 5, 5, 2, 3, 3, 3, stride, padding),
            [L(2, 5, 5, 2), L(3, 3, 3, 2)]);
    }

    [Fact]
    public void Conv2d_with_fused_relu()
    {
        GradCheck.CheckDouble(t => Ops.Conv2d(t[0], t[1], t[2], 1, 1, FusedActivation.Relu),
            t => DoubleReference.Conv2d(t[0], t[1], t[2], 2, 4, 5, 2, 3, 3, 3, 1, 1, relu: true),
            [L(2, 4, 5, 2), L(3, 3, 3, 2), L(3)]);
    }

    [Fact]
    public void Conv2d_on_an_input_without_gradient_fills_only_weight_and_bias()
    {
        var x = Tensor.Uniform(R, -1, 1, 2, 5, 5, 1).Escape();
        var w = L(4, 3, 3, 1); var b = L(4);
        w.RequiresGrad = true; b.RequiresGrad = true;
        using (new TensorScope()) Ops.Sum(Ops.Conv2d(x, w, b, 1, 1)).Backward();
        Assert.Null(x.Grad);
        Assert.NotNull(w.Grad);
        // d(Σy)/db = number of output positions (every output reads the bias once).
        Assert.All(b.Grad!.ToArray(), v => Assert.Equal(2 * 5 * 5, v, 3));
    }

    [Fact]
    public void Conv2d_accumulates_into_existing_gradients()
    {
        var x = L(1, 4, 4, 2); var w = L(3, 3, 3, 2); var b = L(3);
        foreach (var t in new[] { x, w, b }) t.RequiresGrad = true;
        float[][] Once()
        {
            foreach (var t in new[] { x, w, b }) { t.Grad?.Dispose(); t.Grad = null; }
            using (new TensorScope()) Ops.Sum(Ops.Conv2d(x, w, b, 1, 1)).Backward();
            return [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        }
        var single = Once();
        using (new TensorScope()) Ops.Sum(Ops.Conv2d(x, w, b, 1, 1)).Backward();   // second pass adds
        var twice = new[] { x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray() };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < single[i].Length; j++) Assert.Equal(2 * single[i][j], twice[i][j], 4);
    }

    /// <summary>Inputs with distinct values (spaced ≥ 1/len apart), so no window has a tie that a ±1e-6 perturbation could flip.</summary>
    private static Tensor Distinct(params int[] shape)
    {
        var t = Tensor.Zeros(shape).Escape();
        var perm = R.Permutation(t.Length);
        for (int i = 0; i < t.Length; i++) t[i] = (perm[i] + 0.5f) / t.Length * 2f - 1f;
        return t;
    }

    [Theory]
    // n, h, w, c, size, stride
    [InlineData(2, 4, 6, 3, 2, 2)]
    [InlineData(1, 5, 5, 2, 2, 2)]   // odd size: the last row and column are dropped
    [InlineData(1, 7, 5, 2, 3, 2)]   // overlapping windows share maxima
    [InlineData(2, 4, 4, 1, 2, 1)]
    [InlineData(1, 3, 3, 4, 3, 3)]   // one window covering everything
    public void MaxPool2d_without_ties(int n, int h, int w, int c, int size, int stride)
    {
        GradCheck.CheckDouble(t => Ops.MaxPool2d(t[0], size, stride),
            t => DoubleReference.MaxPool2d(t[0], n, h, w, c, size, stride),
            [Distinct(n, h, w, c)]);
    }

    [Theory]
    [InlineData(5, 4, 1f)]
    [InlineData(3, 10, 1f)]
    [InlineData(4, 3, 8f)]   // large logits: the row maximum is subtracted before exponentiating
    public void CrossEntropy_mean_over_rows(int n, int k, float scale)
    {
        var labels = Enumerable.Range(0, n).Select(i => (i * 7 + 3) % k).ToArray();
        var z = L(n, k);
        for (int i = 0; i < z.Length; i++) z[i] *= scale;
        GradCheck.CheckDouble(t => Ops.CrossEntropy(t[0], labels), t => DoubleReference.CrossEntropy(t[0], labels, n, k), [z]);
    }

    [Fact]
    public void CrossEntropy_upstream_gradient_scales_and_accumulates()
    {
        var z = L(3, 4);
        z.RequiresGrad = true;
        int[] labels = [0, 3, 1];
        using (new TensorScope()) Ops.CrossEntropy(z, labels).Backward();
        var g1 = z.Grad!.ToArray();
        using (new TensorScope()) Ops.Scale(Ops.CrossEntropy(z, labels), 2.5f).Backward();
        var g = z.Grad!.ToArray();
        for (int i = 0; i < g.Length; i++) Assert.Equal(3.5f * g1[i], g[i], 5);
        // Each row of (softmax − onehot)/N sums to 0.
        for (int r = 0; r < 3; r++) Assert.Equal(0, g1.Skip(r * 4).Take(4).Sum(), 5);
        z.Grad.Dispose(); z.Grad = null;
    }
}
