using MuonInr.Fields;
using MuonInr.IO;
using MuonInr.Metrics;
using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Experiments;

/// <summary>Result of an audio fit: the summary, the history, the signal and the prediction.</summary>
public sealed class AudioFitResult
{
    /// <summary>Final numbers (snr, si_snr).</summary>
    public required RunSummary Summary { get; init; }
    /// <summary>Metrics (SNR over time) and ranks.</summary>
    public required TrainingHistory History { get; init; }
    /// <summary>The target signal.</summary>
    public required AudioSignal Target { get; init; }
    /// <summary>The prediction [frames, channels] (unclamped).</summary>
    public required float[] Prediction { get; init; }
    /// <summary>The resolved options.</summary>
    public required AudioFitOptions Options { get; init; }
}

/// <summary>Fits an INR to a sound clip (the paper's audio task): t ↦ samples, SNR and SI-SNR, rank diagnostics.</summary>
public static class AudioFitExperiment
{
    /// <summary>Loads the segment of <paramref name="o"/> (or the generated test signal, 1 s at 16 kHz).</summary>
    public static AudioSignal LoadSignal(AudioFitOptions o)
    {
        double scale = o.TimeScale ?? AudioFitOptions.DefaultTimeScale(o.Model);
        var wav = o.AudioPath is null
            ? new WavAudio(TestPatterns.AudioComposite(), 1, 16000, WavSampleFormat.Float32)
            : Wav.Read(o.AudioPath);
        return AudioSignal.FromWav(wav, o.StartSeconds, o.Seconds, scale);
    }

    /// <summary>Runs the fit (see <see cref="ImageFitExperiment.Run"/> for progress, checkpoints and resume).</summary>
    public static AudioFitResult Run(AudioFitOptions o, Action<TrainingProgress>? progress = null, string? checkpointDir = null, string? resumeFrom = null)
    {
        var signal = LoadSignal(o);
        var rng = new Rng(o.Seed);
        using var model = FieldPresets.Create(o.Model, 1, signal.Channels, o.Field, rng);
        using var coords = signal.Coordinates();
        using var targets = signal.Targets();
        int c = signal.Channels;

        int[]? held = null;
        Tensor trainCoords = coords, trainTargets = targets;
        if (o.InpaintFraction is { } frac)
        {
            (var train, held) = ImageSignal.SplitRows(signal.Frames, frac, o.Seed + 1);
            trainCoords = FitSession.Rows(coords, train); trainTargets = FitSession.Rows(targets, train);
        }
        using var objective = new RegressionObjective(trainCoords, trainTargets, o.Chunk);
        if (held is not null) { trainCoords.Dispose(); trainTargets.Dispose(); }

        var prediction = new float[signal.Samples.Length];
        double Quality()
        {
            ImageFitExperiment.Predict(model, coords, o.Chunk, prediction);
            return held is null ? AudioQuality.Snr(prediction, signal.Samples) : HeldOutSnr(prediction, signal.Samples, held, c);
        }
        var fit = FitSession.Run(model, objective, o.Optimizer,
            new TrainerOptions { Steps = o.Steps, EvalEvery = o.EvalEvery, RankEvery = o.RankEvery, CheckpointEvery = o.CheckpointEvery },
            Quality, "snr", progress, checkpointDir, resumeFrom);
        double snr = Quality();
        double siSnr = 0;
        for (int ch = 0; ch < c; ch++)
            siSnr += AudioQuality.SiSnr(AudioSignal.Channel(prediction, c, ch), AudioSignal.Channel(signal.Samples, c, ch)) / c;
        var summary = new RunSummary
        {
            Task = "audio",
            Model = o.Model,
            Optimizer = o.Optimizer.Name,
            LearningRate = o.Optimizer.LearningRate,
            MuonLearningRate = o.Optimizer.Name == "muon" ? o.Optimizer.MuonLearningRate : double.NaN,
            Steps = fit.StepsDone,
            Snr = snr,
            SiSnr = siSnr,
            SecondsPerStep = fit.SecondsPerStep,
            StableRanks = fit.FinalStableRanks,
            InitialStableRanks = fit.InitialStableRanks,
            Parameters = model.ParameterCount(),
            Signal = $"{signal.Frames} frames x {c} ch at {signal.SampleRate} Hz ({signal.Frames / (double)signal.SampleRate:F3} s from {signal.StartFrame / (double)signal.SampleRate:F3} s), t in ±{signal.TimeScale:G4} over the clip",
            Gemm = MuonInr.Kernels.Gemm.Provider.Name,
            Routing = fit.Routing,
            Stopped = fit.Stopped,
        };
        return new AudioFitResult { Summary = summary, History = fit.History, Target = signal, Prediction = prediction, Options = o };
    }

    private static double HeldOutSnr(float[] prediction, float[] target, int[] held, int channels)
    {
        double s = 0, e = 0;
        foreach (int i in held)
            for (int ch = 0; ch < channels; ch++) { double t = target[i * channels + ch], d = t - prediction[i * channels + ch]; s += t * t; e += d * d; }
        return 10 * Math.Log10(s / e);
    }
}
