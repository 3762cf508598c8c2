using System.Text.Json;
using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Optim;

/// <summary>
/// Every member of the Muon family against tools/fixtures/gen_muon_variant_fixtures.py (PyTorch 1.13,
/// float32, the formulas written out from MUON.md and each variant's reference), on tall, wide, square and
/// 4-D (conv filter) parameters, six steps with weight decay. Tolerance as for Muon's golden test: the
/// GEMM summation order differs from PyTorch's and Newton–Schulz amplifies it a little.
/// </summary>
public class MuonVariantGoldenTests
{
    private static readonly JsonElement Doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim", "muon_variants.json"))).RootElement;

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in new[] { "tall", "wide", "square", "conv" })
            foreach (var rule in MuonRule.All) data.Add(rule.Name, shape);
        return data;
    }

    [Theory, MemberData(nameof(Cases))]
    public void Trajectory_matches_pytorch(string variant, string shapeName)
    {
        var c = Doc.GetProperty("cases").GetProperty(shapeName);
        int[] shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var w = new Parameter(Tensor.FromData(Floats(c.GetProperty("w0")), shape).Escape(), "w");
        var opt = new MuonWithAuxAdam(rule: MuonRule.ByName(variant));
        opt.AddMuonGroup([w], lr: Doc.GetProperty("lr").GetDouble(), momentum: Doc.GetProperty("momentum").GetDouble(), nesterov: true,
            weightDecay: Doc.GetProperty("weight_decay").GetDouble());
        var grads = c.GetProperty("grads").EnumerateArray().Select(Floats).ToArray();
        var traj = c.GetProperty("trajectories").GetProperty(variant).EnumerateArray().Select(Floats).ToArray();
        Assert.Equal(grads.Length, traj.Length);
        for (int s = 0; s < traj.Length; s++)
        {
            w.Grad?.Dispose();
            w.Grad = Tensor.FromData(grads[s], shape).Escape();
            opt.Step();
            var actual = w.ToArray();
            for (int i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(traj[s][i] - actual[i]) <= 2e-5 + 1e-4 * Math.Abs(traj[s][i]),
                    $"{variant} on {shapeName}: step {s + 1}, w[{i}] = {actual[i]:G7}, torch {traj[s][i]:G7}");
        }
    }

    [Fact]
    public void Plain_muon_rule_is_the_muon_step_bit_for_bit()
    {
        // The family's loop with MuonRule.Muon must be the original Muon (MUON.md) exactly, not approximately.
        var rng = new Rng(3);
        var w1 = Tensor.Uniform(rng, -1, 1, 12, 7).Escape();
        var w2 = Tensor.FromData(w1.ToArray(), 12, 7).Escape();
        var m1 = new float[84]; var m2 = new float[84];
        var u = new float[84]; var o = new float[84];
        var ns = NewtonSchulz.NewtonSchulz5();
        for (int s = 0; s < 4; s++)
        {
            var g = Tensor.Uniform(rng, -1, 1, 12, 7).Escape();
            MuonMath.Step(w1.Span, g.Span, m1, u, o, 12, 7, 0.02, 0.95, true, 0.1, ns);
            MuonMath.Step(w2.Span, g.Span, new MuonState(m2, default, default), u, o, 12, 7, 0.02, 0.95, true, 0.1, ns, MuonRule.Muon, s + 1);
        }
        Assert.Equal(w1.ToArray(), w2.ToArray());
    }

    [Theory]
    [InlineData("normuon")]
    [InlineData("adamuon")]
    [InlineData("namo-d")]
    [InlineData("muon-spectral")]
    [InlineData("root")]
    public void Steady_state_step_allocates_nothing(string variant)
    {
        var w = new Parameter(Tensor.Uniform(new Rng(1), -1, 1, 32, 24).Escape(), "w");
        var opt = new MuonWithAuxAdam(rule: MuonRule.ByName(variant));
        opt.AddMuonGroup([w], lr: 0.01);
        w.Grad = Tensor.Uniform(new Rng(2), -1, 1, 32, 24).Escape();
        opt.Step(); opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 5; i++) opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"{variant}: {allocated} bytes allocated in 5 steady-state steps");
    }

    [Fact]
    public void A_vector_is_refused_with_the_way_out()
    {
        var b = new Parameter(Tensor.Zeros(5).Escape(), "bias");
        var e = Assert.Throws<ArgumentException>(() => new MuonWithAuxAdam(rule: MuonRule.NorMuon).AddMuonGroup([b]));
        Assert.Contains("'bias'", e.Message);
        Assert.Contains("auxiliary Adam", e.Message);
    }

    [Fact]
    public void Power_iteration_tracks_the_top_singular_value()
    {
        // diag(3, 2, 1) padded: σ_max = 3; the persistent vector converges over repeated calls.
        const int rows = 4, cols = 3;
        var o = new float[rows * cols];
        o[0] = 3; o[4] = 2; o[8] = 1;
        var pv = new float[rows + cols];
        double sigma = 0;
        for (int i = 0; i < 40; i++) sigma = MuonMath.PowerIteration(o, pv, rows, cols);
        Assert.InRange(sigma, 2.999, 3.0001);
    }

    [Fact]
    public void Every_rule_name_is_unique_and_resolvable()
    {
        Assert.Equal(MuonRule.All.Count, MuonRule.All.Select(r => r.Name).Distinct().Count());
        foreach (var r in MuonRule.All) Assert.Same(r, MuonRule.ByName(r.Name));
        Assert.Contains("normuon", Assert.Throws<ArgumentException>(() => MuonRule.ByName("nomuon")).Message);
    }
}

public class RootNewtonSchulzTests
{
    [Theory]
    [InlineData(5, 9, 32)]
    [InlineData(128, 128, 128)]
    [InlineData(300, 300, 256)]
    [InlineData(256, 1024, 256)]
    [InlineData(2048, 4096, 512)]
    public void A_matrix_uses_the_coefficients_of_the_nearest_fitted_size(int rows, int cols, int size)
        => Assert.Equal(size, RootNewtonSchulz.SizeFor(rows, cols));

    [Fact]
    public void The_fitted_coefficients_bring_singular_values_nearer_one_than_ns5()
    {
        // A 128 x 128 matrix with a decaying spectrum (INR-like momentum): the RMS of σ(orth(U)) − 1.
        const int n = 128;
        var rng = new Rng(11);
        var u = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => rng.NextNormal());
        var svd = u.Svd();
        var s = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(n, i => Math.Pow(i + 1, -1.0));
        var m = svd.U * MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfDiagonalVector(s) * svd.VT;
        var input = m.ToRowMajorArray().Select(v => (float)v).ToArray();
        double Rms(IOrthogonalizer o)
        {
            var output = new float[n * n];
            o.Orthogonalize(input, n, n, output);
            var sv = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => output[i * n + j]).Svd(false).S;
            return Math.Sqrt(sv.Select(x => (x - 1) * (x - 1)).Average());
        }
        double root = Rms(new RootNewtonSchulz()), ns5 = Rms(NewtonSchulz.NewtonSchulz5());
        Assert.True(root < 0.8 * ns5, $"RMS |σ − 1|: root-ns {root:F3}, ns5 {ns5:F3}");
    }
}
