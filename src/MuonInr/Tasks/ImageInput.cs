using System.Globalization;
using System.Text.RegularExpressions;
using MuonInr.IO;
using MuonInr.Metrics;
using MuonInr.Signals;

namespace MuonInr.Tasks;

/// <summary>
/// Loading an image-valued task's input, shared by image, CT and super-resolution: the file (or the
/// generated test image), then box downsampling, centre crop and luma, with the options that declare them.
/// </summary>
public static partial class ImageInput
{
    /// <summary>Options every image-valued task has: the generated image's size, downsampling, crop, SSIM variant, clamping.</summary>
    public static IReadOnlyList<TaskOption> CommonOptions(bool gray) =>
    [
        new("generated_width", TaskOptionKind.Integer, "Width of the generated test image (height = width·2/3), used when the data is 'generated'.") { Min = 16, Max = 8192 },
        new("downsample", TaskOptionKind.Integer, "Integer box-downsampling factor applied first (1 = none).") { Min = 1, Max = 64 },
        new("crop", TaskOptionKind.Text, "Centre crop HxW applied after downsampling, e.g. 256x384; null = none.") { Nullable = true },
        .. gray ? [new TaskOption("gray", TaskOptionKind.Boolean, "Fit the luma (Rec. 601) only.")] : Array.Empty<TaskOption>(),
        new("ssim", TaskOptionKind.Text, "SSIM definition: skimage (7x7 uniform, scikit-image's default) or gaussian (Wang et al.).") { Choices = ["skimage", "gaussian"] },
        new("clamp", TaskOptionKind.Boolean, "Clamp the prediction to [0, 1] before PSNR/SSIM (the paper's CT code does; its image code does not)."),
    ];

    /// <summary>The SSIM variant of the run.</summary>
    public static SsimVariant Ssim(TaskContext c) => c.Text("ssim") == "gaussian" ? SsimVariant.Gaussian : SsimVariant.SkimageDefault;

    /// <summary>
    /// Loads (PNG, JPEG, BMP, TGA, GIF, DICOM: <see cref="ImageIo.Read(string)"/>), downsamples, crops and (when
    /// <paramref name="gray"/>) converts the image of <paramref name="c"/>; <paramref name="transform"/> then
    /// maps the values (given the file format; null for the generated image).
    /// </summary>
    public static ImageSignal Load(TaskContext c, bool gray, Func<float[], ImageFormat?, float[]>? transform = null)
    {
        float[] px; int h, w, ch;
        ImageFormat? format = null;
        if (c.IsGenerated)
        {
            w = c.Integer("generated_width"); h = Math.Max(8, w * 2 / 3); ch = 3;
            px = TestPatterns.HighFrequencyComposite(h, w);
        }
        else
        {
            var image = ImageIo.Read(c.Data);
            h = image.Height; w = image.Width; format = image.Format;
            px = ImageOps.DropAlpha(image.Pixels, h, w, image.Channels, out ch);
        }
        int factor = c.Integer("downsample");
        if (factor > 1)
        {
            if (h / factor < 1 || w / factor < 1)
                throw new RunSpecException("options.downsample", $"options.downsample {factor} is larger than the image ({h}x{w}); use at most {Math.Min(h, w)}.");
            px = ImageOps.BoxDownsample(px, h, w, ch, factor, out h, out w);
        }
        if (c.Text("crop") is { } crop)
        {
            var (ch2, cw) = ParseCrop(crop);
            if (ch2 > h || cw > w) throw new RunSpecException("options.crop", $"options.crop {crop} is larger than the image ({h}x{w} after downsampling).");
            px = ImageOps.CenterCrop(px, h, w, ch, ch2, cw); h = ch2; w = cw;
        }
        if (gray && ch > 1) { px = ImageOps.ToGray(px, h, w, ch); ch = 1; }
        if (transform is not null) px = transform(px, format);
        return new ImageSignal(px, h, w, ch);
    }

    /// <summary>Parses "HxW" (positive integers).</summary>
    public static (int Height, int Width) ParseCrop(string text)
    {
        var m = CropPattern().Match(text);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            || !int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int w) || h < 1 || w < 1)
            throw new RunSpecException("options.crop", $"options.crop must be HxW with positive integers (e.g. 256x384), got '{text}'.");
        return (h, w);
    }

    [GeneratedRegex(@"^\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*$")]
    private static partial Regex CropPattern();
}
