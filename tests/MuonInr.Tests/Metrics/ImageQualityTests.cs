using System.Text.Json;
using MuonInr.Metrics;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Metrics;

public class ImageQualityTests
{
    [Fact]
    public void Ssim_and_psnr_match_scikit_image()
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("metrics", "image_metrics.json"))).RootElement;
        foreach (var c in doc.EnumerateArray())
        {
            var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            var t = c.GetProperty("target").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            var p = c.GetProperty("prediction").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            Assert.Equal(c.GetProperty("ssim_skimage").GetDouble(), ImageQuality.Ssim(p, t, shape[0], shape[1], shape[2], SsimVariant.SkimageDefault), 1e-6);
            Assert.Equal(c.GetProperty("ssim_gaussian").GetDouble(), ImageQuality.Ssim(p, t, shape[0], shape[1], shape[2], SsimVariant.Gaussian), 1e-6);
            Assert.Equal(c.GetProperty("psnr").GetDouble(), ImageQuality.Psnr(p, t), 1e-6);
        }
    }

    [Fact]
    public void Identical_images_are_perfect_and_bad_shapes_are_rejected()
    {
        var x = Enumerable.Range(0, 20 * 20).Select(i => (float)Math.Sin(i)).ToArray();
        Assert.Equal(1.0, ImageQuality.Ssim(x, x, 20, 20, 1), 12);
        Assert.True(double.IsPositiveInfinity(ImageQuality.Psnr(x, x)));
        Assert.Contains("20x20x2", Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(x, x, 20, 20, 2)).Message);
        Assert.Contains("at least 11x11", Assert.Throws<ArgumentException>(() => ImageQuality.Ssim(new float[100], new float[100], 10, 10, 1, SsimVariant.Gaussian)).Message);
    }
}
