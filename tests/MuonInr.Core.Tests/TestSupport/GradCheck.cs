using MuonInr.Autograd;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.TestSupport;

/// <summary>
/// Checks autograd against central differences. <see cref="CheckDouble"/> is the standard: central
/// differences of an independent double-precision reference. <see cref="Check"/> is the older, loose
/// check: L = Σ rᵢ·f(x)ᵢ with fixed random weights r, evaluated in double from float32 outputs; each
/// input element is perturbed by ±h·max(1, |x|). Float32 forward passes limit its agreement to about
/// 1e-3 relative, which its 2 % tolerance reflects, so it misses derivatives off by ~1 %; it stays for
/// comparison (the teeth test shows what it misses).
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
        var gradients = AnalyticGradients(f, inputs, weights);
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            var analytic = gradients[t];
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
        }
    }

    /// <summary>
    /// The double-precision check (the project's standard): the float32 autograd gradient of
    /// L = Σ rᵢ·f(x)ᵢ against central differences of L_ref(x) = Σ rᵢ·f_ref(x)ᵢ, where
    /// <paramref name="reference"/> is an independent double-precision implementation of the same
    /// function (flat row-major inputs in, flat row-major output out), written from the op's math
    /// rather than by calling the op. It also asserts that the float32 forward equals the reference
    /// forward within float32 rounding, so the reference really is the function being differentiated.
    /// <para>
    /// Numeric side: each input element is perturbed by ±h·max(1, |x|) with h = 1e-6 in double. The
    /// truncation error h²·|f‴|/6 is ≲ 1e-12·ω³ (≲ 1e-8 for the ω ≤ 5 and the 2²π bands used here)
    /// and the cancellation error ≈ 1e-16·|L|/h ≈ 1e-10, so the numeric gradient is exact to ~1e-8
    /// relative: everything left is float32 rounding of the analytic side.
    /// </para>
    /// <para>
    /// Tolerance: |a − n| ≤ rtol·(|n| + s) with rtol = 1e-4 and s the RMS of the numeric gradient of
    /// that input. The analytic gradient is a short chain of float32 operations (forward intermediates
    /// read back, then the backward rule, with sums over ≤ 12 terms for the shapes used), each rounding
    /// by ≤ 2⁻²⁴ ≈ 6e-8 relative to the size of its terms; trigonometric rules also see the float32
    /// rounding of their argument (|ωx|·6e-8 absolute). That bounds the error at ~1e-5 of the gradient's
    /// scale, so 1e-4 leaves 10× headroom over rounding while a derivative off by 0.5 % (5e-3) exceeds
    /// it 50× (see GradientTests.Double_check_catches_a_half_percent_gradient_error). The scale term s
    /// keeps elements whose exact gradient is near 0 (where float32 cancellation leaves a residue of the
    /// size of the terms) from demanding impossible relative accuracy. Measured over every case in
    /// GradientTests: the worst |a − n|/(|n| + s) is 8e-7 (positional encoding), the 0.5 % fake 3e-3.
    /// </para>
    /// </summary>
    /// <param name="forwardTol">Forward agreement |y − y_ref| ≤ forwardTol·(|y_ref| + max|y_ref|): 1e-5
    /// is ~80 float32 ulps of the output's scale, far above rounding (a few ulps, plus |ωx|·6e-8 for
    /// trigonometric arguments; 7e-7 is the worst measured in GradientTests) and far below any formula
    /// difference.</param>
    public static void CheckDouble(Func<Tensor[], Tensor> f, Func<double[][], double[]> reference, Tensor[] inputs,
        double rtol = 1e-4, double forwardTol = 1e-5, double h = 1e-6, ulong seed = 99)
    {
        foreach (var x in inputs) x.RequiresGrad = true;
        var xd = inputs.Select(x => x.ToArray().Select(v => (double)v).ToArray()).ToArray();
        float[] weights;
        using (GradMode.NoGrad())
        using (new TensorScope())
        {
            var y0 = f(inputs);
            weights = new float[y0.Length];
            new Rng(seed).FillUniform(weights, -1, 1);
            // The float32 forward against the double reference: same function, up to float32 rounding.
            var yf = y0.ToArray();
            var yr = reference(xd);
            Assert.True(yr.Length == yf.Length, $"reference gives {yr.Length} values, the op {yf.Length} (shape {Tensor.ShapeString(y0.Shape)})");
            double yScale = yr.Length == 0 ? 0 : yr.Max(Math.Abs);
            for (int i = 0; i < yf.Length; i++)
                Assert.True(Math.Abs(yf[i] - yr[i]) <= forwardTol * (Math.Abs(yr[i]) + yScale),
                    $"forward element {i} of {Tensor.ShapeString(y0.Shape)}: float32 op {yf[i]:G9}, double reference {yr[i]:G17}");
        }
        var r = weights.Select(w => (double)w).ToArray();
        double RefLoss()
        {
            var y = reference(xd);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += r[i] * y[i];
            return s;
        }
        var gradients = AnalyticGradients(f, inputs, weights);
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            var analytic = gradients[t];
            var xs = xd[t];
            var numeric = new double[xs.Length];
            for (int i = 0; i < xs.Length; i++)
            {
                double orig = xs[i];
                double step = h * Math.Max(1, Math.Abs(orig));
                double xp = orig + step, xm = orig - step;
                xs[i] = xp; double lp = RefLoss();
                xs[i] = xm; double lm = RefLoss();
                xs[i] = orig;
                numeric[i] = (lp - lm) / (xp - xm);
            }
            double rms = numeric.Length == 0 ? 0 : Math.Sqrt(numeric.Sum(v => v * v) / numeric.Length);
            int worst = -1, failures = 0;
            double worstRatio = 0;
            for (int i = 0; i < xs.Length; i++)
            {
                double diff = Math.Abs(analytic[i] - numeric[i]);
                double allowed = rtol * (Math.Abs(numeric[i]) + rms);
                double ratio = allowed > 0 ? diff / allowed : diff > 0 ? double.PositiveInfinity : 0;
                if (ratio > 1) failures++;
                if (ratio > worstRatio || worst < 0) { worstRatio = ratio; worst = i; }
            }
            Assert.True(failures == 0,
                $"input {t} {Tensor.ShapeString(x.Shape)}: {failures} of {xs.Length} elements off; worst element {worst}: " +
                $"autograd {analytic[worst]:G9}, double central difference {numeric[worst]:G12} " +
                $"(relative error {Math.Abs(analytic[worst] - numeric[worst]) / Math.Max(Math.Abs(numeric[worst]), 1e-300):G3}, " +
                $"{worstRatio:G3}× the tolerance {rtol:G2}·(|n| + rms {rms:G4}))");
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

    // dL/dx of L = Σ wᵢ·f(x)ᵢ by autograd (float32), one array per input; the inputs' grads are released.
    private static float[][] AnalyticGradients(Func<Tensor[], Tensor> f, Tensor[] inputs, float[] weights)
    {
        foreach (var x in inputs) { x.Grad?.Dispose(); x.Grad = null; }
        using (new TensorScope())
        {
            var y = f(inputs);
            using var seedT = Tensor.FromData(weights, y.ShapeArray);
            y.Backward(seedT);
        }
        var gradients = new float[inputs.Length][];
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            Assert.True(x.Grad is not null, $"input {t} of shape {Tensor.ShapeString(x.Shape)} received no gradient");
            gradients[t] = x.Grad!.ToArray();
            x.Grad.Dispose(); x.Grad = null;
        }
        return gradients;
    }
}
