using MuonInr.Autograd;
using MuonInr.Fields;
using MuonInr.Nn;
using MuonInr.Tensors;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Fields;

public class FieldTests
{
    public static IEnumerable<object[]> Available() => Architectures.All.Select(a => new object[] { a.Name });

    [Theory]
    [MemberData(nameof(Available))]
    public void Every_architecture_maps_coordinates_to_values(string name)
    {
        using var model = TestModels.Create(name, 2, 3, new ModelSpec { Hidden = 16, Mapping = 8 }, new Rng(1));
        using var scope = new TensorScope();
        var y = model.Forward(Tensor.Uniform(new Rng(2), -1, 1, 7, 2));
        Assert.Equal(new[] { 7, 3 }, y.ShapeArray);
        Assert.All(y.ToArray(), v => Assert.True(float.IsFinite(v)));
        var layers = Architectures.RankLayers(model);
        Assert.Equal(name is "relu-pe" or "relu-ffn" or "gauss-ffn" ? 4 : 5, layers.Count);
        Assert.All(layers, l => Assert.True(l.Spectrum().StableRank >= 1));
    }

    [Fact]
    public void Siren_and_finer_use_the_siren_initialisation()
    {
        foreach (var name in new[] { "siren", "finer" })
        {
            var model = (InrField)TestModels.Create(name, 2, 3, new ModelSpec { Hidden = 64, Omega = [30] }, new Rng(3));
            Assert.All(model.Layers[0].Weight.ToArray(), w => Assert.InRange(w, -0.5f, 0.5f));              // U(−1/in, 1/in), in = 2
            Assert.True(model.Layers[0].Weight.ToArray().Max(Math.Abs) > 0.45f);
            float bound = (float)(Math.Sqrt(6.0 / 64) / 30);
            foreach (var l in model.Layers.Skip(1))
            {
                var w = l.Weight.ToArray();
                Assert.All(w, v => Assert.InRange(v, -bound, bound));
                Assert.InRange(w.Average(v => (double)v * v), bound * bound / 3 * 0.8, bound * bound / 3 * 1.2);
            }
            if (name == "finer")
            {
                // Optional (off by default, as the paper's code): first-layer bias U(±1/√2), whatever the input width.
                var wide = (InrField)TestModels.Create(name, 16, 3, new ModelSpec { Hidden = 64, FinerFirstBias = true }, new Rng(3));
                var b = wide.Layers[0].Bias!.ToArray();
                Assert.True(b.Max(Math.Abs) > 0.5f && b.Max(Math.Abs) <= 1 / MathF.Sqrt(2), "FINER's first-layer bias spans ±1/√2");
                var plain = (InrField)TestModels.Create(name, 16, 3, new ModelSpec { Hidden = 64 }, new Rng(3));
                Assert.True(plain.Layers[0].Bias!.ToArray().Max(Math.Abs) <= 0.25f, "default: PyTorch's bias U(±1/√in), in = 16");
            }
        }
    }

    [Fact]
    public void Fourier_features_and_positional_encoding_have_the_stated_layout()
    {
        var pe = new PositionalEncoding(2, 3);
        using var scope = new TensorScope();
        var y = pe.Forward(Tensor.FromData([0.25f, -0.5f], 1, 2));
        Assert.Equal(12, y.Dim(1));
        // The paper's code: input-major, [sin, cos] interleaved per band.
        float[] expected = new float[12];
        float[] p = [0.25f, -0.5f];
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 3; k++)
            {
                expected[i * 6 + 2 * k] = MathF.Sin((float)(Math.Pow(2, k) * Math.PI) * p[i]);
                expected[i * 6 + 2 * k + 1] = MathF.Cos((float)(Math.Pow(2, k) * Math.PI) * p[i]);
            }
        for (int i = 0; i < 12; i++) Assert.Equal(expected[i], y[i], 1e-5f);
        var ff = new FourierFeatures(2, 5, 10, new Rng(4));
        var z = ff.Forward(Tensor.Zeros(3, 2));
        Assert.Equal(new[] { 3, 10 }, z.ShapeArray);
        for (int r = 0; r < 3; r++) for (int c = 0; c < 10; c++) Assert.Equal(c < 5 ? 1f : 0f, z[r, c], 1e-6f); // cos 0, sin 0
        Assert.Empty(ff.Parameters()); // B is fixed
    }

    [Theory]
    [MemberData(nameof(Available))]
    public void Gradients_of_a_tiny_instance_match_central_differences(string name)
    {
        if (name == "finer") return; // by definition FINER's gradient ignores d(|z|+1)/dz; checked below
        // Moderate activation parameters keep the finite differences meaningful in float32.
        var opts = new ModelSpec { Hidden = 6, Layers = 3, Mapping = 3, FfSigma = 1, PeLevels = 2, Omega = [2], GaussA = [1.5], WaveletSigma = [0.7] };
        var model = TestModels.Create(name, 2, 2, opts, new Rng(5));
        var x = Tensor.Uniform(new Rng(6), -1, 1, 4, 2).Escape();
        var w = new float[8]; new Rng(7).FillUniform(w, -1, 1);
        double Loss()
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = new TensorScope();
            var y = model.Forward(x).Span;
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += w[i] * (double)y[i];
            return s;
        }
        model.ZeroGrad();
        using (new TensorScope())
        {
            var y = model.Forward(x);
            using var seed = Tensor.FromData(w, 4, 2);
            y.Backward(seed);
        }
        foreach (var (pname, p) in model.NamedParameters())
        {
            var g = p.Grad!.ToArray();
            var s = p.Span;
            for (int i = 0; i < s.Length; i += Math.Max(1, s.Length / 12))
            {
                float orig = s[i]; double h = name.StartsWith("relu", StringComparison.Ordinal) ? 1e-3 : 1e-2;
                double l0 = Loss();
                s[i] = (float)(orig + h); double lp = Loss();
                s[i] = (float)(orig - h); double lm = Loss();
                s[i] = orig;
                double numeric = (lp - lm) / (2 * h);
                double right = (lp - l0) / h, left = (l0 - lm) / h;
                if (Math.Abs(right - left) > 0.2 * Math.Max(Math.Abs(right), Math.Abs(left)) + 5e-3) continue; // a ReLU kink lies within ±h
                Assert.True(Math.Abs(numeric - g[i]) <= 3e-3 + 3e-2 * Math.Abs(numeric), $"{name} {pname}[{i}]: autograd {g[i]}, central difference {numeric}");
            }
        }
    }

    [Fact]
    public void Finer_gradient_treats_the_scale_as_a_constant()
    {
        float[] z = [-1.3f, -0.4f, 0.2f, 0.9f];
        var t = Tensor.FromData(z, 1, 4).Escape();
        t.RequiresGrad = true;
        using (new TensorScope()) Ops.Sum(FieldActivations.Apply(FieldActivation.Finer, t, 3.0, 0)).Backward();
        for (int i = 0; i < 4; i++)
        {
            double s = Math.Abs(z[i]) + 1;
            Assert.Equal(3 * s * Math.Cos(3 * s * z[i]), t.Grad![i], 1e-4);
        }
    }

    [Fact]
    public void Bad_names_and_parameter_counts_are_rejected_clearly()
    {
        Assert.Contains("Unknown model", Assert.Throws<ArgumentException>(() => Architectures.Create(new ModelSpec { Name = "mlp", Hidden = 8, Layers = 3 }, 2, 3, new Rng(1))).Message);
        Assert.Contains("one per activated layer (4)", Assert.Throws<ArgumentException>(() => TestModels.Create("siren", 2, 3, new ModelSpec { Omega = [1, 2] }, new Rng(1))).Message);
        // No defaults below the presets: an unresolved spec is refused, naming the field.
        Assert.Contains("model.omega is not set", Assert.Throws<ArgumentException>(() => Architectures.Create(new ModelSpec { Name = "siren", Hidden = 8, Layers = 3 }, 2, 3, new Rng(1))).Message);
        Assert.Contains("model.omega does not apply to relu-mlp", Assert.Throws<ArgumentException>(() => Architectures.Create(new ModelSpec { Name = "relu-mlp", Hidden = 8, Layers = 3, Omega = [3] }, 2, 3, new Rng(1))).Message);
    }

    [Fact]
    public void Siren_hidden_layers_are_initialised_with_their_own_omega()
    {
        // The paper's code (models.py, SineLayer.init_weights_siren): a hidden layer's bound is √(6/in)/ω of its
        // own activation; the final Linear uses the last hidden ω. With ω = 30, 50, 50, 50 (SISR) the second
        // Linear must be bounded by √(6/64)/50, not /30.
        foreach (var name in new[] { "siren", "finer" })
        {
            var model = (InrField)TestModels.Create(name, 2, 3, new ModelSpec { Hidden = 64, Layers = 5, Omega = [30, 50, 20, 10] }, new Rng(3));
            double[] omegas = [30, 50, 20, 10, 10];
            for (int i = 1; i < 5; i++)
            {
                var w = model.Layers[i].Weight.ToArray();
                float bound = (float)(Math.Sqrt(6.0 / 64) / omegas[i]);
                Assert.All(w, v => Assert.InRange(v, -bound, bound));
                Assert.True(w.Max(Math.Abs) > 0.9f * bound, $"{name} layer {i}: bound √(6/in)/{omegas[i]}");
            }
        }
    }

    [Fact]
    public void Relu_pe_defaults_to_half_the_mapping_as_bands()
    {
        var model = (InrField)TestModels.Create("relu-pe", 2, 3, new ModelSpec { Hidden = 8 }, new Rng(1));
        Assert.Equal(64, ((PositionalEncoding)model.Encoding!).Levels);
        Assert.Equal(256, model.Layers[0].InFeatures); // 2 inputs x 2 x 64 bands
        model = (InrField)TestModels.Create("relu-pe", 2, 3, new ModelSpec { Hidden = 8, PeLevels = 10 }, new Rng(1));
        Assert.Equal(10, ((PositionalEncoding)model.Encoding!).Levels);
    }

    [Fact]
    public void Wire_matches_an_independent_complex_computation()
    {
        var model = (WireField)TestModels.Create("wire", 2, 3, new ModelSpec { Hidden = 8, Layers = 3, Omega = [3, 2], WaveletSigma = [1.5, 0.8] }, new Rng(4));
        Assert.Equal(5, model.ComplexWidth); // ⌊8/√2⌋
        Assert.Equal([5, 2], model.First.Weight.ShapeArray);
        Assert.Equal([5, 5], model.ComplexLayers[0].WeightReal.ShapeArray);
        Assert.Equal([3, 5], model.ComplexLayers[1].WeightImaginary.ShapeArray);
        Assert.Null(model.ComplexLayers[1].BiasImaginary); // only the real part reaches the output
        float[] xs = [0.3f, -0.7f, -0.1f, 0.45f];
        using var scope = new TensorScope();
        var y = model.Forward(Tensor.FromData(xs, 2, 2));
        Assert.Equal([2, 3], y.ShapeArray);

        static System.Numerics.Complex Gabor(System.Numerics.Complex z, double w, double s)
            => System.Numerics.Complex.Exp(System.Numerics.Complex.ImaginaryOne * w * z - s * s * z.Magnitude * z.Magnitude);
        for (int n = 0; n < 2; n++)
        {
            var h = new System.Numerics.Complex[5];
            for (int o = 0; o < 5; o++)
                h[o] = Gabor(model.First.Weight[o, 0] * xs[2 * n] + model.First.Weight[o, 1] * xs[2 * n + 1] + model.First.Bias![o], 3, 1.5);
            var l1 = model.ComplexLayers[0];
            var h2 = new System.Numerics.Complex[5];
            for (int o = 0; o < 5; o++)
            {
                var z = new System.Numerics.Complex(l1.BiasReal[o], l1.BiasImaginary![o]);
                for (int i = 0; i < 5; i++) z += new System.Numerics.Complex(l1.WeightReal[o, i], l1.WeightImaginary[o, i]) * h[i];
                h2[o] = Gabor(z, 2, 0.8);
            }
            var l2 = model.ComplexLayers[1];
            for (int o = 0; o < 3; o++)
            {
                var z = new System.Numerics.Complex(l2.BiasReal[o], 0);
                for (int i = 0; i < 5; i++) z += new System.Numerics.Complex(l2.WeightReal[o, i], l2.WeightImaginary[o, i]) * h2[i];
                Assert.Equal(z.Real, y[n, o], 1e-5);
            }
        }
    }

    [Fact]
    public void Wire_hidden_complex_weights_go_to_muon_and_ranks_cover_every_layer()
    {
        var model = TestModels.Create("wire", 2, 3, new ModelSpec { Hidden = 16, Layers = 4 }, new Rng(2));
        var split = MuonInr.Optim.ParamRouting.Paper().Split(model);
        Assert.Equal(["layers1.weight_real", "layers1.weight_imag", "layers2.weight_real", "layers2.weight_imag"], split.Muon.Select(p => p.Name).ToArray());
        var ranks = Architectures.RankLayers(model);
        Assert.Equal(["layers0.weight", "layers1.weight (complex)", "layers2.weight (complex)", "layers3.weight (complex)"], ranks.Select(r => r.Name).ToArray());
        // The complex spectrum is the block matrix's with each σ once: compare with an explicit complex SVD.
        var c = ((WireField)model).ComplexLayers[0];
        var m = MathNet.Numerics.LinearAlgebra.Matrix<System.Numerics.Complex>.Build.Dense(c.OutFeatures, c.InFeatures,
            (r, k) => new System.Numerics.Complex(c.WeightReal[r, k], c.WeightImaginary[r, k]));
        var expected = m.Svd(false).S.Select(v => v.Real).OrderDescending().ToArray();
        var got = ranks[1].Spectrum().SingularValues;
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 4);
    }
}
