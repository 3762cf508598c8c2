using MuonInr.Autograd;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.TestSupport;

/// <summary>
/// Checks autograd against central differences: L = Σ rᵢ·f(x)ᵢ with fixed random weights r, evaluated
/// in double from float32 outputs; each input element is perturbed by ±h·max(1, |x|). Float32 forward
/// passes limit the agreement to about 1e-3 relative, which the tolerance reflects.
/// </summary>
public static class GradCheck
{
    public static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double h = 1e-2, double rtol = 2e-2, double atol = 2e-3, ulong seed = 99)
    {
        foreach (var x in inputs) x.RequiresGrad = true;
        float[] weights;
        using (GradMode.NoGrad())
        using (new TensorScope())
        {
            var y0 = f(inputs);
            weights = new float[y0.Length];
            new Rng(seed).FillUniform(weights, -1, 1);
        }
        double Loss()
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = new TensorScope();
            var y = f(inputs);
            double s = 0;
            var ys = y.Span;
            for (int i = 0; i < ys.Length; i++) s += (double)weights[i] * ys[i];
            return s;
        }
        foreach (var x in inputs) { x.Grad?.Dispose(); x.Grad = null; }
        using (new TensorScope())
        {
            var y = f(inputs);
            using var seedT = Tensor.FromData(weights, y.ShapeArray);
            y.Backward(seedT);
        }
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            Assert.True(x.Grad is not null, $"input {t} of shape {Tensor.ShapeString(x.Shape)} received no gradient");
            var analytic = x.Grad!.ToArray();
            var xs = x.Span;
            for (int i = 0; i < xs.Length; i++)
            {
                float orig = xs[i];
                double step = h * Math.Max(1, Math.Abs(orig));
                xs[i] = (float)(orig + step); double lp = Loss();
                xs[i] = (float)(orig - step); double lm = Loss();
                xs[i] = orig;
                double numeric = (lp - lm) / (2 * step);
                double diff = Math.Abs(numeric - analytic[i]);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {t} {Tensor.ShapeString(x.Shape)} element {i}: autograd {analytic[i]:G6}, central difference {numeric:G6}");
            }
            x.Grad.Dispose(); x.Grad = null;
        }
    }

    /// <summary>A leaf with values in ±[lo, hi] (kept away from 0 so kinks at 0 are not crossed).</summary>
    public static Tensor Leaf(Rng rng, float lo, float hi, params int[] shape)
    {
        var t = Tensor.Uniform(rng, lo, hi, shape).Escape();
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) if (rng.NextDouble() < 0.5) s[i] = -s[i];
        return t;
    }
}
