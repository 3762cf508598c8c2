using MuonInr.Autograd;
using MuonInr.Fields;
using MuonInr.Nn;
using MuonInr.Tensors;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Fields;

/// <summary>
/// Gradients of every real-valued architecture against central differences computed entirely in double:
/// an independent double-precision forward pass (Linear stack and activations written out here, from the
/// model's own weights and the encoding's outputs) is differentiated numerically with steps of 1e-6, and
/// the float32 autograd gradient must agree to 1e-3 relative — twenty times tighter than a float32
/// finite-difference check allows. FINER is excluded by definition (its gradient ignores d(|z|+1)/dz;
/// FieldTests checks that rule analytically); complex WIRE has its own check against System.Numerics.Complex.
/// </summary>
public class DoubleGradientTests
{
    public static IEnumerable<object[]> Real() =>
        new[] { "relu-mlp", "relu-ffn", "relu-pe", "gauss-mlp", "gauss-ffn", "siren", "wire-real" }.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Real))]
    public void Float32_autograd_matches_double_central_differences(string name)
    {
        var spec = TestModels.Spec(name, new ModelSpec { Hidden = 7, Layers = 4, Mapping = 3, FfSigma = 1, PeLevels = 2, Omega = [2], GaussA = [1.5], WaveletSigma = [0.7] });
        var model = Architectures.Create(spec, 2, 2, new Rng(5));
        const int n = 16;
        var x = Tensor.Uniform(new Rng(6), -1, 1, n, 2).Escape();
        var r = new double[n * 2]; var rf = new float[n * 2];
        var rng = new Rng(7);
        for (int i = 0; i < r.Length; i++) { rf[i] = (float)(rng.NextDouble() * 2 - 1); r[i] = rf[i]; }

        // The layers in forward order and the activation parameters of each activated layer.
        Linear[] linears; Module? encoding; FieldActivation act; double[] p, sigma;
        if (model is InrField f)
        {
            linears = [.. f.Layers]; encoding = f.Encoding; act = f.Activation;
            int k = linears.Length - 1;
            p = act switch
            {
                FieldActivation.Gaussian => Architectures.PerLayer(spec.GaussA!, k, "gauss_a"),
                FieldActivation.Sine or FieldActivation.GaborReal => Architectures.PerLayer(spec.Omega!, k, "omega"),
                _ => new double[k],
            };
            sigma = act == FieldActivation.GaborReal ? Architectures.PerLayer(spec.WaveletSigma!, k, "wavelet_sigma") : new double[k];
        }
        else
        {
            linears = [.. Architectures.LinearLayers(model).Select(l => l.Layer)]; encoding = null; act = FieldActivation.Relu;
            p = new double[linears.Length - 1]; sigma = p;
        }
        double[] features;
        int featureCount;
        using (GradMode.NoGrad())
        using (new TensorScope())
        {
            var e = encoding?.Forward(x) ?? x;
            features = e.ToArray().Select(v => (double)v).ToArray(); featureCount = e.Dim(1);
        }
        var weights = linears.Select(l => l.Weight.ToArray().Select(v => (double)v).ToArray()).ToArray();
        var biases = linears.Select(l => l.Bias!.ToArray().Select(v => (double)v).ToArray()).ToArray();

        double Loss()
        {
            double total = 0;
            for (int row = 0; row < n; row++)
            {
                double[] h = features.AsSpan(row * featureCount, featureCount).ToArray();
                for (int li = 0; li < linears.Length; li++)
                {
                    int outF = linears[li].OutFeatures, inF = linears[li].InFeatures;
                    var z = new double[outF];
                    for (int o = 0; o < outF; o++)
                    {
                        double s = biases[li][o];
                        for (int i = 0; i < inF; i++) s += weights[li][o * inF + i] * h[i];
                        z[o] = li == linears.Length - 1 ? s : act switch
                        {
                            FieldActivation.Relu => Math.Max(0, s),
                            FieldActivation.Gaussian => Math.Exp(-s * s / (2 * p[li] * p[li])),
                            FieldActivation.Sine => Math.Sin(p[li] * s),
                            FieldActivation.GaborReal => Math.Sin(p[li] * s) * Math.Exp(-(sigma[li] * s) * (sigma[li] * s)),
                            _ => throw new InvalidOperationException(act.ToString()),
                        };
                    }
                    h = z;
                }
                for (int c = 0; c < h.Length; c++) total += r[row * h.Length + c] * h[c];
            }
            return total;
        }

        model.ZeroGrad();
        using (new TensorScope())
        {
            var y = model.Forward(x);
            using var seed = Tensor.FromData(rf, n, 2);
            y.Backward(seed);
        }
        for (int li = 0; li < linears.Length; li++)
            foreach (var (values, grad, what) in new[] { (weights[li], linears[li].Weight.Grad!.ToArray(), "weight"), (biases[li], linears[li].Bias!.Grad!.ToArray(), "bias") })
            {
                double scale = grad.Max(g => Math.Abs((double)g)) + 1e-12;
                for (int i = 0; i < values.Length; i++)
                {
                    double orig = values[i], step = 1e-6 * Math.Max(1, Math.Abs(orig));
                    values[i] = orig + step; double lp = Loss();
                    values[i] = orig - step; double lm = Loss();
                    values[i] = orig;
                    double numeric = (lp - lm) / (2 * step);
                    Assert.True(Math.Abs(numeric - grad[i]) <= 1e-5 * scale + 1e-3 * Math.Abs(numeric),
                        $"{name} layer {li} {what}[{i}]: autograd {grad[i]:G8}, double central difference {numeric:G8}");
                }
            }
        x.Dispose();
        model.Dispose();
    }
}
