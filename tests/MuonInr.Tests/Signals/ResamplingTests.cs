using System.Text.Json;
using MuonInr.Signals;
using MuonInr.Tensors;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Signals;

public class ResamplingTests
{
    public static TheoryData<int> FixtureCases() => [0, 1, 2, 3, 4];

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Matches_torch_interpolate(int index)
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("sisr", "resample.json"))).RootElement;
        var c = doc.GetProperty("cases")[index];
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
        int oh = c.GetProperty("out_height").GetInt32(), ow = c.GetProperty("out_width").GetInt32();
        bool aa = c.GetProperty("antialias").GetBoolean();
        var img = c.GetProperty("image").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var expected = c.GetProperty("output").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var op = aa ? ImageResampler.BicubicAntialiased(h, w, oh, ow, 3) : ImageResampler.Bicubic(h, w, oh, ow, 3);
        var y = op.Apply(img);
        Assert.Equal(expected.Length, y.Length);
        double worst = expected.Select((e, i) => Math.Abs(e - y[i])).Max();
        // Both run float32 separable passes; torch computes the weights in float as well.
        Assert.True(worst < 2e-6, $"case {index}: max |ours − torch| = {worst}");
    }

    [Theory]
    [InlineData(32, 24, 8, 6, true)]
    [InlineData(37, 23, 9, 5, true)]
    [InlineData(8, 6, 32, 24, false)]
    [InlineData(5, 9, 13, 20, false)]
    public void Passes_the_adjoint_test(int h, int w, int oh, int ow, bool aa)
    {
        var op = aa ? ImageResampler.BicubicAntialiased(h, w, oh, ow, 3) : ImageResampler.Bicubic(h, w, oh, ow, 3);
        var rng = new Rng(9);
        var x = new float[op.InputLength]; rng.FillNormal(x, 0, 1);
        var y = new float[op.OutputLength]; rng.FillNormal(y, 0, 1);
        var ax = new float[op.OutputLength]; op.Apply(x, ax);
        var aty = new float[op.InputLength]; op.ApplyAdjoint(y, aty);
        double lhs = ax.Zip(y, (a, b) => (double)a * b).Sum(), rhs = x.Zip(aty, (a, b) => (double)a * b).Sum();
        Assert.True(Math.Abs(lhs - rhs) <= 1e-5 * (Math.Abs(lhs) + 1), $"<Ax,y> = {lhs}, <x,A'y> = {rhs}");
    }

    [Fact]
    public void Antialiased_weights_sum_to_one_and_constant_images_stay_constant()
    {
        foreach (var (n, m) in new[] { (1216, 304), (37, 9), (10, 10), (5, 13) })
        {
            var r = Resampling1D.BicubicAntialiased(n, m);
            foreach (var wt in r.Weights) Assert.Equal(1.0, wt.Sum(v => (double)v), 5);
        }
        var op = ImageResampler.BicubicAntialiased(40, 28, 10, 7, 2);
        var y = op.Apply(Enumerable.Repeat(0.3f, op.InputLength).ToArray());
        Assert.All(y, v => Assert.Equal(0.3f, v, 5));
    }

    [Fact]
    public void Rejects_wrong_sizes()
    {
        Assert.Throws<ArgumentException>(() => Resampling1D.BicubicAntialiased(0, 3));
        var op = ImageResampler.BicubicAntialiased(8, 8, 2, 2, 1);
        Assert.Throws<ArgumentException>(() => op.Apply(new float[10], new float[4]));
    }
}
