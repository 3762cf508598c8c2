using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Autograd;

[Collection(PoolCountersCollection.Name)]
public class GradientTests
{
    private static readonly Rng R = new(7);
    private static Tensor L(params int[] shape) => GradCheck.Leaf(R, 0.2f, 1.5f, shape);

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMul_every_transpose(bool ta, bool tb)
    {
        var a = ta ? L(4, 3) : L(3, 4);
        var b = tb ? L(5, 4) : L(4, 5);
        GradCheck.Check(x => Ops.MatMul(x[0], x[1], ta, tb), [a, b]);
    }

    [Theory]
    [InlineData(true, FusedActivation.None)]
    [InlineData(true, FusedActivation.Relu)]
    [InlineData(false, FusedActivation.None)]
    [InlineData(false, FusedActivation.Relu)]
    public void Linear_with_and_without_bias_and_fused_relu(bool bias, FusedActivation act)
    {
        var x = L(6, 4); var w = L(5, 4);
        if (bias) GradCheck.Check(t => Ops.Linear(t[0], t[1], t[2], act), [x, w, L(5)]);
        else GradCheck.Check(t => Ops.Linear(t[0], t[1], null, act), [x, w]);
    }

    [Fact]
    public void Linear_without_input_gradient_leaves_input_untouched()
    {
        var x = Tensor.Uniform(R, -1, 1, 6, 4).Escape(); var w = L(5, 4);
        w.RequiresGrad = true;
        using (new TensorScope()) Ops.Sum(Ops.Linear(x, w, null, FusedActivation.Relu)).Backward();
        Assert.Null(x.Grad);
        Assert.NotNull(w.Grad);
    }

    [Fact]
    public void Mse_relu_and_unary_ops()
    {
        var target = Tensor.Uniform(R, -1, 1, 3, 4).Escape();
        GradCheck.Check(t => Ops.MseLoss(t[0], target), [L(3, 4)]);
        GradCheck.Check(t => Ops.Relu(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Neg(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Exp(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Log(Ops.Abs(t[0])), [L(3, 4)]);
        GradCheck.Check(t => Ops.Sin(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Cos(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Tanh(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Square(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Sqrt(Ops.Abs(t[0])), [L(3, 4)]);
        GradCheck.Check(t => Ops.Scale(t[0], -2.5f), [L(3, 4)]);
        GradCheck.Check(t => Ops.AddScalar(t[0], 3f), [L(3, 4)]);
    }

    public static IEnumerable<object[]> BroadcastShapes()
    {
        yield return [new[] { 3, 4 }, new[] { 3, 4 }];
        yield return [new[] { 3, 4 }, new[] { 4 }];
        yield return [new[] { 3, 4 }, new[] { 1, 4 }];
        yield return [new[] { 3, 4 }, new[] { 1 }];
        yield return [new[] { 4 }, new[] { 3, 4 }];
        yield return [new int[0], new[] { 3, 4 }];
    }

    [Theory]
    [MemberData(nameof(BroadcastShapes))]
    public void Binary_ops_with_broadcasting(int[] sa, int[] sb)
    {
        GradCheck.Check(t => Ops.Add(t[0], t[1]), [L(sa), L(sb)]);
        GradCheck.Check(t => Ops.Sub(t[0], t[1]), [L(sa), L(sb)]);
        GradCheck.Check(t => Ops.Mul(t[0], t[1]), [L(sa), L(sb)]);
        GradCheck.Check(t => Ops.Div(t[0], t[1]), [L(sa), L(sb)]);
    }

    [Fact]
    public void Reductions_all_and_per_axis()
    {
        GradCheck.Check(t => Ops.Sum(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Mean(t[0]), [L(3, 4)]);
        GradCheck.Check(t => Ops.Sum(t[0], 0), [L(3, 4)]);
        GradCheck.Check(t => Ops.Sum(t[0], 1), [L(3, 4)]);
        GradCheck.Check(t => Ops.Mean(t[0], 0), [L(3, 4)]);
        GradCheck.Check(t => Ops.Mean(t[0], 1), [L(3, 4)]);
    }

    [Fact]
    public void Indexing_slicing_concat_reshape()
    {
        GradCheck.Check(t => Ops.GatherRows(t[0], [2, 0, 2, 1]), [L(3, 4)]);
        GradCheck.Check(t => Ops.ScatterAddRows(t[0], [1, 3, 1], 5), [L(3, 4)]);
        GradCheck.Check(t => Ops.SliceRows(t[0], 1, 2), [L(4, 3)]);
        GradCheck.Check(t => Ops.SliceColumns(t[0], 1, 2), [L(4, 5)]);
        GradCheck.Check(t => Ops.ConcatColumns(t[0], t[1], t[2]), [L(3, 2), L(3, 1), L(3, 4)]);
        GradCheck.Check(t => Ops.Reshape(t[0], 6, 2), [L(3, 4)]);
    }

    [Fact]
    public void A_tensor_used_twice_gets_the_sum_and_two_backward_passes_accumulate()
    {
        GradCheck.Check(t => Ops.Mul(t[0], Ops.Add(t[0], t[1])), [L(3, 4), L(3, 4)]);
        var x = L(2, 3); x.RequiresGrad = true;
        for (int pass = 0; pass < 2; pass++)
            using (new TensorScope()) Ops.Sum(Ops.Scale(x, 2f)).Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.Equal(4f, g));
    }

    [Fact]
    public void Deep_chain_does_not_overflow_and_releases_intermediate_gradients()
    {
        var x = L(4, 4); x.RequiresGrad = true;
        long before = TensorPool.Outstanding;
        using (new TensorScope())
        {
            var y = x;
            for (int i = 0; i < 10_000; i++) y = Ops.AddScalar(y, 1e-4f);
            Ops.Sum(y).Backward();
        }
        Assert.All(x.Grad!.ToArray(), g => Assert.Equal(1f, g, 5));
        // Only the leaf's gradient survives the scope.
        Assert.Equal(before + 1, TensorPool.Outstanding);
        x.Grad.Dispose(); x.Grad = null;
    }

    [Fact]
    public void No_grad_records_nothing_and_misuse_gives_clear_errors()
    {
        var x = L(2, 2); x.RequiresGrad = true;
        using (new TensorScope())
        {
            Tensor y;
            using (MuonInr.Autograd.GradMode.NoGrad()) y = Ops.Square(x);
            Assert.True(y.IsLeaf);
            Assert.False(y.RequiresGrad);
            var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
            Assert.Contains("does not require a gradient", e.Message);
            var z = Ops.Square(x);
            var e2 = Assert.Throws<InvalidOperationException>(() => z.Backward());
            Assert.Contains("needs a scalar", e2.Message);
        }
        var t = Tensor.Zeros(2, 3);
        t.Dispose();
        var e3 = Assert.Throws<ObjectDisposedException>(() => t.Span[0]);
        Assert.Contains("[2, 3]", e3.Message);
    }

    [Fact]
    public void Shape_errors_name_the_shapes()
    {
        using var scope = new TensorScope();
        Assert.Contains("[3, 4]", Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(3, 4), Tensor.Zeros(5, 2))).Message);
        Assert.Contains("[5, 3]", Assert.Throws<ArgumentException>(() => Ops.Linear(Tensor.Zeros(2, 4), Tensor.Zeros(5, 3))).Message);
        Assert.Contains("[2, 5]", Assert.Throws<ArgumentException>(() => Ops.Add(Tensor.Zeros(3, 4), Tensor.Zeros(2, 5))).Message);
        Assert.Contains("index 7", Assert.Throws<ArgumentException>(() => Ops.GatherRows(Tensor.Zeros(3, 4), [7])).Message);
        Assert.Contains("[3, 4]", Assert.Throws<ArgumentException>(() => Ops.SliceRows(Tensor.Zeros(3, 4), 2, 2)).Message);
        Assert.Contains("row counts differ", Assert.Throws<ArgumentException>(() => Ops.ConcatColumns(Tensor.Zeros(3, 4), Tensor.Zeros(2, 4))).Message);
        Assert.Contains("needs 6", Assert.Throws<ArgumentException>(() => Tensor.FromData(new float[5], 2, 3)).Message);
        Assert.Contains("negative", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1)).Message);
        var reshape = Assert.Throws<ArgumentException>(() => Ops.Reshape(Tensor.Zeros(3, 4), 12, 2)).Message;
        Assert.Contains("[3, 4]", reshape);
        Assert.Contains("[12, 2]", reshape);
    }
}
