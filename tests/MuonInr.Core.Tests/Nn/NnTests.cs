using MuonInr.Autograd;
using MuonInr.Kernels;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Nn;

[Collection(MuonInr.Core.Tests.TestSupport.PoolCountersCollection.Name)]
public class NnTests
{
    [Fact]
    public void Linear_uses_pytorch_default_init()
    {
        var lin = new Linear(256, 300, new Rng(1));
        float bound = 1f / 16f;
        var w = lin.Weight.ToArray();
        Assert.Equal(new[] { 300, 256 }, lin.Weight.ShapeArray);
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        double mean = w.Average(v => (double)v), var = w.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.002, 0.002);
        Assert.InRange(var, bound * bound / 3 * 0.95, bound * bound / 3 * 1.05); // U(−b, b) has variance b²/3
        Assert.All(lin.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
    }

    [Fact]
    public void Sequential_names_parameters_like_pytorch_and_fuses_linear_relu_exactly()
    {
        var rng = new Rng(2);
        var fused = new Sequential(new Linear(3, 8, rng), new ReLU(), new Linear(8, 2, rng));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], fused.NamedParameters().Select(p => p.Name).ToArray());
        var x = Tensor.Uniform(new Rng(3), -1, 1, 5, 3).Escape();
        float[] yFused, gFused, yPlain, gPlain;
        using (new TensorScope())
        {
            var y = fused.Forward(x);
            yFused = y.ToArray();
            Ops.Sum(Ops.Square(y)).Backward();
            gFused = fused.Parameters().SelectMany(p => p.Grad!.ToArray()).ToArray();
        }
        fused.ZeroGrad();
        using (new TensorScope())
        {
            var l0 = (Linear)fused.Layers[0]; var l2 = (Linear)fused.Layers[2];
            var y = Ops.Linear(Ops.Relu(Ops.Linear(x, l0.Weight, l0.Bias)), l2.Weight, l2.Bias);
            yPlain = y.ToArray();
            Ops.Sum(Ops.Square(y)).Backward();
            gPlain = fused.Parameters().SelectMany(p => p.Grad!.ToArray()).ToArray();
        }
        Assert.Equal(yPlain, yFused);
        Assert.Equal(gPlain, gFused);
    }

    [Fact]
    public void State_dict_round_trips_through_safetensors_and_refuses_to_overwrite()
    {
        string dir = Path.Combine(Path.GetTempPath(), "muoninr-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "model.safetensors");
            var a = new Sequential(new Linear(2, 4, new Rng(5)), new ReLU(), new Linear(4, 1, new Rng(6)));
            var b = new Sequential(new Linear(2, 4, new Rng(7)), new ReLU(), new Linear(4, 1, new Rng(8)));
            a.Save(path);
            b.Load(path);
            Assert.Equal(a.Parameters().SelectMany(p => p.ToArray()), b.Parameters().SelectMany(p => p.ToArray()));
            Assert.Throws<IOException>(() => a.Save(path));
            a.Save(path, overwrite: true);

            var wrong = new Sequential(new Linear(2, 5, new Rng(1)));
            Assert.Contains("shape", Assert.ThrowsAny<Exception>(() => wrong.Load(path)).Message);

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
            var e = Assert.Throws<InvalidDataException>(() => b.Load(path));
            Assert.Contains("not a valid safetensors file", e.Message);
            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.Throws<InvalidDataException>(() => b.Load(path));
            Assert.Throws<FileNotFoundException>(() => b.Load(Path.Combine(dir, "missing.safetensors")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Small_mlp_trained_by_hand_written_gradient_descent_fits_a_regression_problem()
    {
        var rng = new Rng(11);
        var model = new Sequential(new Linear(2, 32, rng), new ReLU(), new Linear(32, 32, rng), new ReLU(), new Linear(32, 1, rng));
        int n = 256;
        var x = Tensor.Uniform(rng, -1, 1, n, 2).Escape();
        var y = Tensor.Zeros(n, 1).Escape();
        for (int i = 0; i < n; i++) y[i] = MathF.Sin(3 * x[i, 0]) * MathF.Cos(2 * x[i, 1]);
        float first = 0, last = 0;
        long allocationsAfterWarmup = 0;
        for (int step = 0; step < 1500; step++)
        {
            using var scope = new TensorScope();
            model.ZeroGrad();
            var loss = Ops.MseLoss(model.Forward(x), y);
            loss.Backward();
            using (GradMode.NoGrad())
                foreach (var p in model.Parameters())
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad!.Span, -0.1f, p.Span, p.Span);
            if (step == 0) first = loss.Item();
            last = loss.Item();
            if (step == 5) allocationsAfterWarmup = TensorPool.Allocations;
        }
        Assert.True(first > 0.05f, $"initial loss {first}");
        Assert.True(last < 0.01f, $"loss after 1500 steps is {last} (started at {first})");
        // Steady state: every buffer comes from the pool.
        Assert.Equal(allocationsAfterWarmup, TensorPool.Allocations);
    }
}

public class TensorPoolTests
{
    [Fact]
    public void Zeros_are_zero_even_for_freshly_allocated_buffers()
    {
        // Sizes never rented before, so the pool must allocate: the memory may be recycled garbage.
        for (int n = 100_003; n < 100_003 + 50 * 7919; n += 7919)
        {
            using var t = MuonInr.Tensors.Tensor.Zeros(n);
            Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
        }
    }
}
