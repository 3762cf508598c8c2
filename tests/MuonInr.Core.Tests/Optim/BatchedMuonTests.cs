using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Optim;

/// <summary>
/// Batched Newton–Schulz and the optimizer's same-shape batching change nothing but speed: every matrix's
/// result must equal orthogonalizing or stepping it alone, bit for bit.
/// </summary>
public class BatchedMuonTests
{
    [Theory]
    [InlineData(7, 7)]
    [InlineData(9, 5)]
    [InlineData(5, 9)]
    [InlineData(64, 64)]
    [InlineData(256, 256)]
    public void Batch_orthogonalization_equals_one_matrix_at_a_time(int rows, int cols)
    {
        int n = rows * cols, count = 3;
        var input = new float[count * n];
        new Rng(5).FillUniform(input, -1, 1);
        foreach (IOrthogonalizer ortho in new IOrthogonalizer[] { NewtonSchulz.NewtonSchulz5(), NewtonSchulz.PolarExpress(), new RootNewtonSchulz() })
        {
            var batched = new float[count * n]; var single = new float[count * n];
            ortho.OrthogonalizeBatch(input, count, rows, cols, batched);
            for (int i = 0; i < count; i++) ortho.Orthogonalize(input.AsSpan(i * n, n), rows, cols, single.AsSpan(i * n, n));
            for (int i = 0; i < single.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(single[i]) == BitConverter.SingleToInt32Bits(batched[i]),
                    $"{ortho.Name} {rows}x{cols}: element {i} batched {batched[i]:G9}, alone {single[i]:G9}");
        }
    }

    [Fact]
    public void Newton_schulz_with_symmetric_products_still_orthogonalizes()
    {
        // NS5 maps singular values into roughly [0.7, 1.2] (MUON.md); check it on a 48 x 80 matrix via Oᵀ-free Gram O·Oᵀ.
        int r = 48, c = 80;
        var u = new float[r * c];
        new Rng(8).FillNormal(u, 0, 1);
        var o = new float[r * c];
        NewtonSchulz.NewtonSchulz5().Orthogonalize(u, r, c, o);
        var gram = new double[r * r];
        for (int i = 0; i < r; i++)
            for (int j = 0; j < r; j++)
            {
                double s = 0;
                for (int t = 0; t < c; t++) s += (double)o[i * c + t] * o[j * c + t];
                gram[i * r + j] = s;
            }
        for (int i = 0; i < r; i++)
        {
            Assert.InRange(gram[i * r + i], 0.3, 1.5);
            for (int j = 0; j < i; j++) Assert.Equal(gram[i * r + j], gram[j * r + i], 5);
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Batched_step_equals_stepping_each_parameter_alone(string rule)
    {
        // Three hidden-layer-shaped matrices (one batch), one of another shape, one without a gradient.
        int[][] shapes = [[24, 24], [16, 24], [24, 24], [24, 24], [24, 24]];
        var rng = new Rng(11);
        var ps = shapes.Select((s, i) => new Parameter(Tensor.Uniform(rng, -1, 1, s).Escape(), $"w{i}")).ToArray();
        var copies = ps.Select(p => Tensor.FromData(p.ToArray(), p.Shape.ToArray()).Escape()).ToArray();
        var r = MuonRule.ByName(rule);
        var opt = new MuonWithAuxAdam(rule: r);
        opt.AddMuonGroup(ps, lr: 0.02, momentum: 0.95, nesterov: true, weightDecay: 0.1);
        IOrthogonalizer ortho = r.SizeSpecificNewtonSchulz ? new RootNewtonSchulz() : NewtonSchulz.NewtonSchulz5();
        var states = copies.Select(c => (M: new float[c.Length], V: new float[r.SecondMomentLength(c.Shape[0], c.Length / c.Shape[0])],
            P: r.Scale == MuonUpdateScale.PowerIterationSpectral ? new float[c.Shape[0] + c.Length / c.Shape[0]] : [])).ToArray();
        for (int step = 1; step <= 3; step++)
        {
            for (int i = 0; i < ps.Length; i++)
            {
                ps[i].Grad?.Dispose();
                ps[i].Grad = i == 3 ? null : Tensor.Uniform(rng, -1, 1, shapes[i]).Escape();
            }
            opt.Step();
            for (int i = 0; i < ps.Length; i++)
            {
                if (ps[i].Grad is null) continue;
                int rows = shapes[i][0], cols = shapes[i][1];
                var u = new float[rows * cols]; var o = new float[rows * cols];
                MuonMath.Step(copies[i].Span, ps[i].Grad!.Span, new MuonState(states[i].M, states[i].V, states[i].P), u, o,
                    rows, cols, 0.02, 0.95, true, 0.1, ortho, r, step);
            }
            for (int i = 0; i < ps.Length; i++)
                Assert.True(ps[i].ToArray().SequenceEqual(copies[i].ToArray()), $"{rule}: parameter {i} differs from its one-at-a-time step at step {step}");
        }
    }

    public static IEnumerable<object[]> Rules() => MuonRule.All.Select(r => new object[] { r.Name });
}
