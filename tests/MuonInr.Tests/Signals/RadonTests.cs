using System.Text.Json;
using MuonInr.Signals;
using MuonInr.Tensors;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Signals;

public class RadonTests
{
    [Fact]
    public void Matches_scipy_rotate_then_row_sum()
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("ct", "radon.json"))).RootElement;
        int h = doc.GetProperty("height").GetInt32(), w = doc.GetProperty("width").GetInt32();
        var img = doc.GetProperty("image").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var angles = doc.GetProperty("angles").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var radon = new RadonTransform(h, w, angles);
        var sino = new float[radon.OutputLength];
        radon.Apply(img, sino);
        var expected = doc.GetProperty("sinogram").EnumerateArray().ToArray();
        double worst = 0;
        for (int a = 0; a < angles.Length; a++)
        {
            var row = expected[a].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int x = 0; x < w; x++) worst = Math.Max(worst, Math.Abs(row[x] - sino[a * w + x]));
        }
        // Both sum h bilinear samples; differences come from float32 storage and trigonometry rounding.
        Assert.True(worst < 1e-3, $"max |sinogram − scipy| = {worst}");
    }

    [Theory]
    [InlineData(17, 25, 9)]
    [InlineData(32, 32, 30)]
    public void Passes_the_adjoint_test(int h, int w, int angles)
    {
        var radon = new RadonTransform(h, w, RadonTransform.EvenAngles(angles));
        var rng = new Rng(5);
        var x = new float[radon.InputLength]; var y = new float[radon.OutputLength];
        rng.FillUniform(x, -1, 1); rng.FillUniform(y, -1, 1);
        var ax = new float[y.Length]; var aty = new float[x.Length];
        radon.Apply(x, ax); radon.ApplyAdjoint(y, aty);
        double lhs = 0, rhs = 0, scale = 0;
        for (int i = 0; i < y.Length; i++) { lhs += (double)ax[i] * y[i]; scale += Math.Abs((double)ax[i] * y[i]); }
        for (int i = 0; i < x.Length; i++) rhs += (double)x[i] * aty[i];
        Assert.True(Math.Abs(lhs - rhs) <= 1e-6 * scale, $"<Ax, y> = {lhs}, <x, Aᵀy> = {rhs}");
    }

    [Fact]
    public void Gradient_through_the_operator_is_the_adjoint()
    {
        var radon = new RadonTransform(6, 7, RadonTransform.EvenAngles(4));
        var x = Tensor.Uniform(new Rng(1), 0, 1, 6, 7).Escape();
        x.RequiresGrad = true;
        var target = new float[radon.OutputLength];
        using (new TensorScope())
        {
            var y = Ops.Apply(radon, x, 4, 7);
            Ops.Sum(y).Backward();
        }
        var ones = Enumerable.Repeat(1f, radon.OutputLength).ToArray();
        var expected = new float[radon.InputLength];
        radon.ApplyAdjoint(ones, expected);
        Assert.Equal(expected, x.Grad!.ToArray());
        Assert.Contains("expects 42 inputs", Assert.Throws<ArgumentException>(() => Ops.Apply(radon, Tensor.Zeros(5, 5))).Message);
    }
}

public class FilteredBackProjectionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reconstructs_a_disk_phantom_with_the_right_scale(bool linspaceAngles)
    {
        int n = 64;
        var img = new float[n * n];
        for (int y = 0; y < n; y++) for (int x = 0; x < n; x++)
            img[y * n + x] = (x - 31.5) * (x - 31.5) + (y - 27.5) * (y - 27.5) < 15 * 15 ? 1f : (x - 40) * (x - 40) + (y - 44) * (y - 44) < 36 ? 0.5f : 0f;
        var radon = new RadonTransform(n, n, linspaceAngles ? RadonTransform.LinspaceAngles(181) : RadonTransform.EvenAngles(180));
        var sino = new float[radon.OutputLength];
        radon.Apply(img, sino);
        var rec = FilteredBackProjection.Reconstruct(radon, sino);
        double centre = 0; int count = 0;
        for (int y = 22; y < 34; y++) for (int x = 26; x < 38; x++) { centre += rec[y * n + x]; count++; }
        Assert.InRange(centre / count, 0.9, 1.1);
        double psnr = MuonInr.Metrics.ImageQuality.Psnr(rec, img);
        Assert.True(psnr > 20, $"FBP PSNR {psnr:F1} dB");
    }

    [Fact]
    public void Linspace_angles_include_both_ends()
    {
        Assert.Equal([0.0, 45.0, 90.0, 135.0, 180.0], RadonTransform.LinspaceAngles(5));
        Assert.Equal([0.0], RadonTransform.LinspaceAngles(1));
    }
}
