using MuonInr.Autograd;
using MuonInr.Fields;
using MuonInr.IO;
using MuonInr.Metrics;
using MuonInr.Nn;
using MuonInr.Signals;
using MuonInr.Tensors;
using System.Text.Json.Serialization;

namespace MuonInr.Experiments;

/// <summary>Final numbers of a run (summary.json).</summary>
public sealed record RunSummary
{
    /// <summary>Task name (image, audio, ct, sisr).</summary>
    public string Task { get; init; } = "image";
    /// <summary>Architecture.</summary>
    public required string Model { get; init; }
    /// <summary>Optimizer name.</summary>
    public required string Optimizer { get; init; }
    /// <summary>Learning rates: Adam (or auxiliary Adam) and Muon.</summary>
    public double LearningRate { get; init; }
    /// <summary>Muon's learning rate (NaN when not used).</summary>
    public double MuonLearningRate { get; init; } = double.NaN;
    /// <summary>Steps run.</summary>
    public int Steps { get; init; }
    /// <summary>Final PSNR (dB) over the evaluated pixels (held-out ones when inpainting); images, CT, SISR.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Psnr { get; init; }
    /// <summary>Final SSIM of the whole image; images, CT, SISR.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Ssim { get; init; }
    /// <summary>SSIM definition used.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SsimVariant { get; init; }
    /// <summary>Audio: final SNR in dB over every sample (held-out ones when inpainting).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Snr { get; init; }
    /// <summary>Audio: final scale-invariant SNR in dB (zero-mean, per channel, averaged).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? SiSnr { get; init; }
    /// <summary>Training seconds per step (evaluation excluded).</summary>
    public double SecondsPerStep { get; init; }
    /// <summary>Final stable rank of every Linear weight, input to output.</summary>
    public double[] StableRanks { get; init; } = [];
    /// <summary>Stable ranks at initialisation.</summary>
    public double[] InitialStableRanks { get; init; } = [];
    /// <summary>Parameters of the model.</summary>
    public long Parameters { get; init; }
    /// <summary>Signal size "H x W x C".</summary>
    public string Signal { get; init; } = "";
    /// <summary>GEMM provider used.</summary>
    public string Gemm { get; init; } = "";
    /// <summary>Which parameters went to Muon (empty otherwise).</summary>
    public string Routing { get; init; } = "";
    /// <summary>Classical baseline of the task (CT: filtered back-projection), or null.</summary>
    public string? Baseline { get; init; }
    /// <summary>PSNR of the baseline (dB).</summary>
    public double? BaselinePsnr { get; init; }
    /// <summary>SSIM of the baseline.</summary>
    public double? BaselineSsim { get; init; }
    /// <summary>Set when training stopped early (non-finite loss), with the reason.</summary>
    public string? Stopped { get; init; }
}

/// <summary>Result of an image fit: the summary, the history, the images.</summary>
public sealed class ImageFitResult
{
    /// <summary>Final numbers.</summary>
    public required RunSummary Summary { get; init; }
    /// <summary>Metrics and ranks over time.</summary>
    public required TrainingHistory History { get; init; }
    /// <summary>The target image.</summary>
    public required ImageSignal Target { get; init; }
    /// <summary>The prediction [H, W, C] (unclamped).</summary>
    public required float[] Prediction { get; init; }
    /// <summary>The resolved options.</summary>
    public required ImageFitOptions Options { get; init; }
    /// <summary>Baseline reconstructions shown beside the network's (label, image).</summary>
    public IReadOnlyList<(string Label, float[] Image)> Baselines { get; init; } = [];
}

/// <summary>Fits an INR to an image (the paper's image task), recording PSNR and rank diagnostics over time.</summary>
public static class ImageFitExperiment
{
    /// <summary>Loads and preprocesses the image of <paramref name="o"/> (or generates the test image).</summary>
    public static ImageSignal LoadSignal(ImageFitOptions o)
    {
        float[] px; int h, w, c;
        if (o.ImagePath is null)
        {
            w = o.GeneratedWidth; h = Math.Max(8, w * 2 / 3); c = 3;
            px = TestPatterns.HighFrequencyComposite(h, w);
        }
        else
        {
            var png = Png.Read(o.ImagePath);
            h = png.Height; w = png.Width;
            px = ImageOps.DropAlpha(png.ToFloat(), h, w, png.Channels, out c);
        }
        if (o.Downsample > 1) px = ImageOps.BoxDownsample(px, h, w, c, o.Downsample, out h, out w);
        if (o.Crop is { } crop) { px = ImageOps.CenterCrop(px, h, w, c, crop.Height, crop.Width); h = crop.Height; w = crop.Width; }
        if ((o.Gray || o.Task == "ct") && c > 1) { px = ImageOps.ToGray(px, h, w, c); c = 1; }
        if (o.Task == "ct") px = EightBitMinMax(px);
        return new ImageSignal(px, h, w, c);
    }

    // The paper's CT loader: 8-bit quantisation, then min–max normalisation to [0, 1].
    private static float[] EightBitMinMax(float[] px)
    {
        var q = px.Select(v => MathF.Round(Math.Clamp(v, 0f, 1f) * 255f)).ToArray();
        float lo = q.Min(), hi = q.Max(), range = hi > lo ? hi - lo : 1f;
        for (int i = 0; i < q.Length; i++) q[i] = (q[i] - lo) / range;
        return q;
    }

    /// <summary>
    /// Runs the fit. <paramref name="progress"/> is called after every step. Checkpoints (when
    /// <see cref="ImageFitOptions.CheckpointEvery"/> &gt; 0) go to <paramref name="checkpointDir"/>; with
    /// <paramref name="resumeFrom"/> the model, optimizer and schedule continue from the checkpoint there
    /// (the options must describe the same model and optimizer), giving the same result as an
    /// uninterrupted run.
    /// </summary>
    public static ImageFitResult Run(ImageFitOptions o, Action<TrainingProgress>? progress = null, string? checkpointDir = null, string? resumeFrom = null)
    {
        var signal = LoadSignal(o);
        var rng = new Rng(o.Seed);
        using var model = FieldPresets.Create(o.Model, 2, signal.Channels, o.Field, rng);
        using var coords = signal.Coordinates();
        using var targets = signal.Targets();

        int[]? train = null, held = null;
        Tensor trainCoords = coords, trainTargets = targets;
        if (o.InpaintFraction is { } frac)
        {
            (train, held) = signal.InpaintingSplit(frac, o.Seed + 1);
            trainCoords = FitSession.Rows(coords, train); trainTargets = FitSession.Rows(targets, train);
        }
        if (o.Task is not ("image" or "ct" or "sisr")) throw new ArgumentException($"Unknown task '{o.Task}'; expected image, ct or sisr.");
        if (o.Task != "image" && o.InpaintFraction is not null) throw new ArgumentException($"Inpainting does not apply to {o.Task}.");
        ILinearOperator? forward = null;
        Tensor? measurements = null;
        float[]? baseline = null;
        string? baselineName = null, baselineLabel = null;
        if (o.Task == "ct")
        {
            if (o.Projections < 1) throw new ArgumentException($"CT needs at least one projection, got {o.Projections}.");
            var radon = new RadonTransform(signal.Height, signal.Width, RadonTransform.LinspaceAngles(o.Projections));
            measurements = Tensor.Zeros(o.Projections, signal.Width).Escape();
            radon.Apply(signal.Pixels, measurements.Span);
            if (o.NoiseTau is { } tau) MeasurementNoise.Apply(measurements.Span, tau, o.NoiseReadout, o.Seed + 2);
            baseline = FilteredBackProjection.Reconstruct(radon, measurements.Span);
            (forward, baselineName, baselineLabel) = (radon, "filtered back-projection", "FBP");
        }
        else if (o.Task == "sisr")
        {
            int s = o.ScaleFactor, lh = signal.Height / Math.Max(1, s), lw = signal.Width / Math.Max(1, s);
            if (s < 2 || lh < 1 || lw < 1)
                throw new ArgumentException($"Super-resolution needs a scale factor ≥ 2 and an image of at least that size, got x{s} on {signal.Height}x{signal.Width}.");
            var down = ImageResampler.BicubicAntialiased(signal.Height, signal.Width, lh, lw, signal.Channels);
            measurements = Tensor.Zeros(lh * lw, signal.Channels).Escape();
            down.Apply(signal.Pixels, measurements.Span);
            baseline = ImageResampler.Bicubic(lh, lw, signal.Height, signal.Width, signal.Channels).Apply(measurements.Span);
            (forward, baselineName, baselineLabel) = (down, $"bicubic x{s} upsampling", "bicubic");
        }
        using var regression = forward is null ? new RegressionObjective(trainCoords, trainTargets, o.Chunk) : null;
        ITrainingObjective objective = forward is null ? regression! : new OperatorObjective(coords, forward, measurements!, o.Chunk);
        if (train is not null) { trainCoords.Dispose(); trainTargets.Dispose(); }

        var prediction = new float[signal.Pixels.Length];
        double Evaluate()
        {
            Predict(model, coords, o.Chunk, prediction);
            return held is null ? ImageQuality.Psnr(prediction, signal.Pixels) : HeldOutPsnr(prediction, signal.Pixels, held, signal.Channels);
        }
        var fit = FitSession.Run(model, objective, o.Optimizer,
            new TrainerOptions { Steps = o.Steps, EvalEvery = o.EvalEvery, RankEvery = o.RankEvery, CheckpointEvery = o.CheckpointEvery },
            Evaluate, "psnr", progress, checkpointDir, resumeFrom);
        double psnr = Evaluate();
        double ssim = signal.Height >= 11 && signal.Width >= 11
            ? ImageQuality.Ssim(prediction, signal.Pixels, signal.Height, signal.Width, signal.Channels, o.SsimVariant)
            : double.NaN;
        var summary = new RunSummary
        {
            Task = o.Task,
            Model = o.Model,
            Optimizer = o.Optimizer.Name,
            LearningRate = o.Optimizer.LearningRate,
            MuonLearningRate = o.Optimizer.Name == "muon" ? o.Optimizer.MuonLearningRate : double.NaN,
            Steps = fit.StepsDone,
            Psnr = psnr,
            Ssim = ssim,
            SsimVariant = o.SsimVariant.ToString(),
            SecondsPerStep = fit.SecondsPerStep,
            StableRanks = fit.FinalStableRanks,
            InitialStableRanks = fit.InitialStableRanks,
            Parameters = model.ParameterCount(),
            Signal = $"{signal.Height} x {signal.Width} x {signal.Channels}",
            Gemm = MuonInr.Kernels.Gemm.Provider.Name,
            Routing = fit.Routing,
            Stopped = fit.Stopped,
        };
        measurements?.Dispose();
        if (baseline is not null)
        {
            summary = summary with
            {
                Baseline = baselineName,
                BaselinePsnr = ImageQuality.Psnr(baseline, signal.Pixels),
                BaselineSsim = signal.Height >= 11 && signal.Width >= 11 ? ImageQuality.Ssim(baseline, signal.Pixels, signal.Height, signal.Width, signal.Channels, o.SsimVariant) : double.NaN,
            };
        }
        return new ImageFitResult
        {
            Summary = summary, History = fit.History, Target = signal, Prediction = prediction, Options = o,
            Baselines = baseline is null ? [] : [(baselineLabel!, baseline)],
        };
    }

    /// <summary>Evaluates the model on every coordinate without recording a graph, chunk by chunk.</summary>
    public static void Predict(Module model, Tensor coords, int chunk, float[] output)
    {
        int n = coords.Dim(0), size = chunk <= 0 ? n : Math.Min(chunk, n), inF = coords.Dim(1);
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < n; start += size)
        {
            using var scope = new TensorScope();
            int len = Math.Min(size, n - start);
            var x = start == 0 && len == n ? coords : Tensor.FromData(coords.Span.Slice(start * inF, len * inF), len, inF);
            var y = model.Forward(x);
            y.Span.CopyTo(output.AsSpan(start * y.Dim(1)));
        }
    }

    private static double HeldOutPsnr(float[] prediction, float[] target, int[] held, int channels)
    {
        double s = 0;
        foreach (int p in held)
            for (int c = 0; c < channels; c++) { double d = prediction[p * channels + c] - (double)target[p * channels + c]; s += d * d; }
        return ImageQuality.PsnrFromMse(s / (held.Length * channels));
    }
}
