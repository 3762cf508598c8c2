using System.Globalization;
using MuonInr.IO;
using MuonInr.Metrics;
using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tasks;

/// <summary>
/// The problem shape shared by the image-valued tasks (image fitting, CT, super-resolution): an image on
/// the coordinate grid of PAPER.md, trained either directly (MSE on every pixel, or on a train subset for
/// inpainting) or through a linear forward operator against measurements; PSNR/SSIM of the prediction,
/// clamped to [0, 1] or not as the task's convention says; an optional classical baseline; the
/// reconstruction and a ground truth | reconstruction | baseline | errors strip as files and report panels.
/// </summary>
public sealed class ImageProblem : FitProblem
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;
    private readonly Tensor _coords;
    private readonly ITrainingObjective _objective;
    private readonly IDisposable? _owned;
    private readonly int[]? _held;
    private readonly bool _clamp;
    private readonly SsimVariant _ssim;
    private readonly Tensor? _measurements;
    private readonly (string Name, string Label, float[] Image)? _baseline;

    /// <summary>
    /// Direct fitting: MSE between the model and <paramref name="signal"/> on every pixel, or on the
    /// <paramref name="train"/> pixels with metrics on <paramref name="held"/> (inpainting).
    /// </summary>
    public ImageProblem(ImageSignal signal, int chunk, bool clamp, SsimVariant ssim, int[]? train = null, int[]? held = null)
    {
        Target = signal; _clamp = clamp; _ssim = ssim; _held = held;
        _coords = signal.Coordinates();
        var targets = signal.Targets();
        if (train is null) { var r = new RegressionObjective(_coords, targets, chunk); _objective = r; _owned = r; targets.Dispose(); }
        else
        {
            using var tc = RowSplit.Take(_coords, train);
            using var tt = RowSplit.Take(targets, train);
            targets.Dispose();
            var r = new RegressionObjective(tc, tt, chunk); _objective = r; _owned = r;
        }
    }

    /// <summary>
    /// Fitting through <paramref name="forward"/>: MSE between forward(model) and <paramref name="measurements"/>
    /// (taken over); <paramref name="baseline"/> is the task's classical reconstruction (name, short label, image).
    /// </summary>
    public ImageProblem(ImageSignal signal, ILinearOperator forward, Tensor measurements, int chunk, bool clamp, SsimVariant ssim,
        (string Name, string Label, float[] Image)? baseline)
    {
        Target = signal; _clamp = clamp; _ssim = ssim; _measurements = measurements; _baseline = baseline;
        _coords = signal.Coordinates();
        _objective = new OperatorObjective(_coords, forward, measurements, chunk);
    }

    /// <summary>The ground-truth image.</summary>
    public ImageSignal Target { get; }

    /// <inheritdoc />
    public override int InFeatures => 2;
    /// <inheritdoc />
    public override int OutFeatures => Target.Channels;
    /// <inheritdoc />
    public override string SignalDescription => $"{Target.Height} x {Target.Width} x {Target.Channels}";
    /// <inheritdoc />
    public override ITrainingObjective Objective => _objective;
    /// <inheritdoc />
    public override Tensor EvaluationCoordinates => _coords;
    /// <inheritdoc />
    public override string QualityName => "psnr";

    private float[] Prepared(float[] prediction)
    {
        if (!_clamp) return prediction;
        var c = new float[prediction.Length];
        for (int i = 0; i < c.Length; i++) c[i] = Math.Clamp(prediction[i], 0f, 1f);
        return c;
    }

    /// <inheritdoc />
    public override double Quality(float[] prediction) => PsnrOf(Prepared(prediction));

    // PSNR of an already clamped (or unclamped, by convention) prediction: every pixel, or the held-out ones.
    private double PsnrOf(float[] p)
    {
        if (_held is null) return ImageQuality.Psnr(p, Target.Pixels);
        int ch = Target.Channels;
        double s = 0;
        foreach (int px in _held)
            for (int c = 0; c < ch; c++) { double d = p[px * ch + c] - (double)Target.Pixels[px * ch + c]; s += d * d; }
        return ImageQuality.PsnrFromMse(s / (_held.Length * ch));
    }

    private string ClampWords => _clamp ? "prediction clamped to [0, 1]" : "unclamped prediction";

    /// <inheritdoc />
    public override IReadOnlyList<TaskMetric> Metrics(float[] prediction)
    {
        string where = _held is null ? "every pixel" : $"the {_held.Length} held-out pixels";
        var p = Prepared(prediction);
        return
        [
            new("psnr", PsnrOf(p), "dB", $"20·log10(1/√MSE), data range 1, {ClampWords}, {where}"),
            new("ssim", Ssim(p), "", $"{SsimName}, data range 1, {ClampWords}, whole image"),
        ];
    }

    private string SsimName => _ssim == SsimVariant.Gaussian ? "SSIM (Wang et al., Gaussian σ 1.5)" : "SSIM (scikit-image default, 7x7 uniform)";

    private double Ssim(float[] p) => Target.Height >= 11 && Target.Width >= 11
        ? ImageQuality.Ssim(p, Target.Pixels, Target.Height, Target.Width, Target.Channels, _ssim)
        : double.NaN;

    /// <inheritdoc />
    public override (string Name, IReadOnlyList<TaskMetric> Metrics)? Baseline => _baseline is { } b
        ? (b.Name, [new("psnr", ImageQuality.Psnr(Prepared(b.Image), Target.Pixels), "dB", $"data range 1, {ClampWords}, every pixel"),
                    new("ssim", Ssim(Prepared(b.Image)), "", $"{SsimName}, data range 1, {ClampWords}")])
        : null;

    /// <inheritdoc />
    public override TaskArtifacts Artifacts(IReadOnlyList<(string Label, float[] Prediction)> runs)
    {
        var t = Target;
        var a = new TaskArtifacts();
        var baselines = _baseline is { } b ? new[] { (b.Label, b.Image) } : [];
        byte[] strip = Png.Encode(ComparisonStrip(t.Pixels, [.. runs.Select(r => r.Prediction), .. baselines.Select(x => x.Image)], t.Height, t.Width, t.Channels));
        if (runs.Count == 1)
            a.Files.Add(("reconstruction.png", Png.Encode(PngImage.FromFloat(runs[0].Prediction, t.Width, t.Height, t.Channels))));
        a.Files.Add(("comparison.png", strip));
        var labels = runs.Count == 1 ? ["reconstruction"] : runs.Select(r => r.Label).ToList();
        labels.AddRange(baselines.Select(x => x.Label));
        string caption = "ground truth | " + string.Join(" | ", labels) + " | |error| ×4 in the same order";
        a.Sections.Add(new ReportSection("Images") { Images = [(caption, strip)] });
        return a;
    }

    /// <summary>
    /// Ground truth, then each prediction, then each |error| ×4 (mean over channels, gray): one row of
    /// panels separated by 4-pixel white gaps, 8-bit RGB.
    /// </summary>
    public static PngImage ComparisonStrip(float[] target, IReadOnlyList<float[]> predictions, int h, int w, int c)
    {
        int panels = 1 + 2 * predictions.Count, gap = 4;
        int width = panels * w + (panels - 1) * gap;
        var px = new float[h * width * 3];
        Array.Fill(px, 1f);
        void Put(int panel, Func<int, int, int, float> value)
        {
            int x0 = panel * (w + gap);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < 3; ch++)
                        px[(y * width + x0 + x) * 3 + ch] = Math.Clamp(value(y, x, ch), 0f, 1f);
        }
        float Sample(float[] img, int y, int x, int ch) => img[(y * w + x) * c + Math.Min(ch, c - 1)];
        Put(0, (y, x, ch) => Sample(target, y, x, ch));
        for (int i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            Put(1 + i, (y, x, ch) => Sample(p, y, x, ch));
            Put(1 + predictions.Count + i, (y, x, _) =>
            {
                float e = 0;
                for (int ch = 0; ch < c; ch++) e += MathF.Abs(p[(y * w + x) * c + ch] - target[(y * w + x) * c + ch]);
                return 4 * e / c;
            });
        }
        return PngImage.FromFloat(px, width, h, 3);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _owned?.Dispose();
        _measurements?.Dispose();
        _coords.Dispose();
        base.Dispose();
    }
}
