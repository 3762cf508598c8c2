using System.Text.Json;
using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Optim;

/// <summary>
/// Trajectories against tools/fixtures/gen_optim_fixtures.py (PyTorch 1.13, float32). Elementwise
/// optimizers match to float rounding; Muon goes through GEMMs whose summation order differs from
/// PyTorch's, and Newton–Schulz amplifies those differences a little, hence its looser tolerance.
/// </summary>
public class OptimizerGoldenTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim", "optimizers.json"))).RootElement;

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    private static (Parameter W, Parameter B) Params()
    {
        var w = new Parameter(Tensor.FromData(Floats(Doc.GetProperty("w0")), 6, 4).Escape(), "w");
        var b = new Parameter(Tensor.FromData(Floats(Doc.GetProperty("b0")), 5).Escape(), "b");
        return (w, b);
    }

    private static void Run(string name, Func<Parameter, Parameter, Optimizer> make, double rtol, double atol)
    {
        var (w, b) = Params();
        var opt = make(w, b);
        var gw = Doc.GetProperty("grads_w").EnumerateArray().Select(Floats).ToArray();
        var gb = Doc.GetProperty("grads_b").EnumerateArray().Select(Floats).ToArray();
        var traj = Doc.GetProperty("trajectories").GetProperty(name).EnumerateArray().ToArray();
        for (int s = 0; s < traj.Length; s++)
        {
            w.Grad = Tensor.FromData(gw[s], 6, 4).Escape();
            b.Grad = Tensor.FromData(gb[s], 5).Escape();
            opt.Step();
            var expected = traj[s].EnumerateArray().Select(Floats).ToArray();
            Compare(name, s, "w", expected[0], w.ToArray(), rtol, atol);
            Compare(name, s, "b", expected[1], b.ToArray(), rtol, atol);
            opt.ZeroGrad();
        }
    }

    private static void Compare(string name, int step, string which, float[] expected, float[] actual, double rtol, double atol)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= atol + rtol * Math.Abs(expected[i]),
                $"{name} step {step + 1} {which}[{i}]: got {actual[i]:G9}, PyTorch {expected[i]:G9}");
    }

    [Fact] public void Adam() => Run("adam", (w, b) => new Adam([w, b], lr: 1e-2), 1e-6, 1e-7);
    [Fact] public void Adam_with_l2() => Run("adam_l2", (w, b) => new Adam([w, b], lr: 1e-2, weightDecay: 0.1), 1e-6, 1e-7);
    [Fact] public void AdamW() => Run("adamw", (w, b) => new AdamW([w, b], lr: 1e-2, weightDecay: 0.1), 1e-6, 1e-7);
    [Fact] public void Sgd_nesterov() => Run("sgd_nesterov", (w, b) => new Sgd([w, b], lr: 1e-2, momentum: 0.9, nesterov: true, weightDecay: 1e-3), 1e-6, 1e-7);
    [Fact] public void Lion() => Run("lion", (w, b) => new Lion([w, b], lr: 1e-2, beta1: 0.9, beta2: 0.99, weightDecay: 0.1), 1e-6, 1e-7);

    [Fact]
    public void Muon_with_auxiliary_adam()
        => Run("muon_aux_adam", (w, b) =>
        {
            var o = new MuonWithAuxAdam();
            o.AddMuonGroup([w], lr: 0.02, momentum: 0.95);
            o.AddAdamGroup([b], lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-10);
            return o;
        }, 1e-4, 2e-5);

    [Theory]
    [InlineData("tall")]
    [InlineData("wide")]
    [InlineData("square")]
    public void Newton_schulz_and_polar_express_match_torch(string name)
    {
        var c = Doc.GetProperty("orthogonalizers").GetProperty(name);
        var shape = c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var input = Floats(c.GetProperty("input"));
        var output = new float[input.Length];
        NewtonSchulz.NewtonSchulz5().Orthogonalize(input, shape[0], shape[1], output);
        Compare("ns5 " + name, 0, "X", Floats(c.GetProperty("ns5")), output, 1e-4, 2e-5);
        NewtonSchulz.PolarExpress().Orthogonalize(input, shape[0], shape[1], output);
        Compare("polar-express " + name, 0, "X", Floats(c.GetProperty("polar_express")), output, 1e-4, 2e-5);
    }
}

public class LbfgsGoldenTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim", "optimizers.json"))).RootElement;

    // Rosenbrock in float32 with its analytic gradient written into p.Grad, as torch's autograd computes it.
    private static double Closure(Parameter p)
    {
        var x = p.Span;
        var g = new float[x.Length];
        float f = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            float a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
            f += 100 * a * a + b * b;
            g[i] += -400 * a * x[i] - 2 * b;
            g[i + 1] += 200 * a;
        }
        p.Grad?.Dispose();
        p.Grad = Tensor.FromData(g, x.Length).Escape();
        return f;
    }

    [Theory]
    [InlineData("plain", false)]
    [InlineData("strong_wolfe", true)]
    public void Lbfgs_matches_torch_on_rosenbrock(string name, bool strongWolfe)
    {
        var c = Doc.GetProperty("lbfgs_rosenbrock").GetProperty(name);
        var p0 = c.GetProperty("p0").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var p = new Parameter(Tensor.FromData(p0, p0.Length).Escape(), "p");
        var opt = new Lbfgs([p], lr: 1, maxIter: 5, historySize: 4, strongWolfe: strongWolfe);
        foreach (var expected in c.GetProperty("trajectory").EnumerateArray())
        {
            opt.Step(() => Closure(p));
            var e = expected.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var a = p.ToArray();
            for (int i = 0; i < e.Length; i++)
                Assert.True(Math.Abs(e[i] - a[i]) <= 1e-4 + 1e-3 * Math.Abs(e[i]), $"{name}: p[{i}] = {a[i]}, torch {e[i]}");
        }
        Assert.Equal(c.GetProperty("func_evals").GetInt64(), opt.FunctionEvaluations);
        Assert.Throws<InvalidOperationException>(() => opt.Step());
    }
}
