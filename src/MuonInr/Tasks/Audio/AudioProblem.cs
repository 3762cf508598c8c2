using System.Globalization;
using MuonInr.IO;
using MuonInr.Metrics;
using MuonInr.Rendering;
using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tasks.Audio;

/// <summary>
/// A sound clip made ready to fit: MSE on every frame (or the train frames when inpainting), SNR and
/// SI-SNR of the prediction, the reconstruction as WAV, spectrograms and waveform panels.
/// </summary>
public sealed class AudioProblem : FitProblem
{
    private readonly Tensor _coords;
    private readonly RegressionObjective _objective;
    private readonly int[]? _held;

    /// <summary>Builds the problem; <paramref name="train"/>/<paramref name="held"/> split the frames for inpainting (both null: every frame).</summary>
    public AudioProblem(AudioSignal signal, int chunk, int[]? train, int[]? held)
    {
        Target = signal; _held = held;
        _coords = signal.Coordinates();
        using var targets = signal.Targets();
        if (train is null) _objective = new RegressionObjective(_coords, targets, chunk);
        else
        {
            using var tc = RowSplit.Take(_coords, train);
            using var tt = RowSplit.Take(targets, train);
            _objective = new RegressionObjective(tc, tt, chunk);
        }
    }

    /// <summary>The target clip segment.</summary>
    public AudioSignal Target { get; }

    /// <inheritdoc />
    public override int InFeatures => 1;
    /// <inheritdoc />
    public override int OutFeatures => Target.Channels;
    /// <inheritdoc />
    public override string SignalDescription => string.Create(CultureInfo.InvariantCulture,
        $"{Target.Frames} frames x {Target.Channels} ch at {Target.SampleRate} Hz ({Target.Frames / (double)Target.SampleRate:F3} s from {Target.StartFrame / (double)Target.SampleRate:F3} s), t in ±{Target.TimeScale:G4} over the clip");
    /// <inheritdoc />
    public override ITrainingObjective Objective => _objective;
    /// <inheritdoc />
    public override Tensor EvaluationCoordinates => _coords;
    /// <inheritdoc />
    public override string QualityName => "snr";

    /// <inheritdoc />
    public override double Quality(float[] prediction)
    {
        if (_held is null) return AudioQuality.Snr(prediction, Target.Samples);
        int c = Target.Channels;
        double s = 0, e = 0;
        foreach (int i in _held)
            for (int ch = 0; ch < c; ch++) { double t = Target.Samples[i * c + ch], d = t - prediction[i * c + ch]; s += t * t; e += d * d; }
        return 10 * Math.Log10(s / e);
    }

    /// <inheritdoc />
    public override IReadOnlyList<TaskMetric> Metrics(float[] prediction)
    {
        int c = Target.Channels;
        double siSnr = 0;
        for (int ch = 0; ch < c; ch++)
            siSnr += AudioQuality.SiSnr(AudioSignal.Channel(prediction, c, ch), AudioSignal.Channel(Target.Samples, c, ch)) / c;
        string where = _held is null ? "every frame" : $"the {_held.Length} held-out frames";
        return
        [
            new("snr", Quality(prediction), "dB", $"10·log10(Σt²/Σ(t−p)²) over {where}, every channel, unclamped"),
            new("si_snr", siSnr, "dB", "scale-invariant SNR of zero-mean signals, per channel over every frame, averaged"),
        ];
    }

    /// <inheritdoc />
    public override TaskArtifacts Artifacts(IReadOnlyList<(string Label, float[] Prediction)> runs)
    {
        var t = Target;
        var a = new TaskArtifacts();
        if (runs.Count == 1)
            a.Files.Add(("reconstruction.wav", Wav.Encode(new WavAudio(runs[0].Prediction, t.Channels, t.SampleRate, WavSampleFormat.Float32), WavSampleFormat.Float32)));
        byte[] spectra = Png.Encode(SpectrogramStrip(t, [.. runs.Select(r => r.Prediction)]));
        a.Files.Add(("spectrogram.png", spectra));
        var labelled = runs.Select(r => (r.Label.Length > 0 ? r.Label : "reconstruction", r.Prediction)).ToList();
        string names = string.Join(" | ", labelled.Select(r => r.Item1));
        a.Sections.Add(new ReportSection("Signal")
        {
            Charts = [WaveformChart(t, labelled), ErrorChart(t, runs)],
            Images = [($"spectrograms of channel 0 (dB, 1024-point STFT, hop 512; one colour scale): ground truth | {names} | errors in the same order", spectra)],
        });
        return a;
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _objective.Dispose();
        _coords.Dispose();
        base.Dispose();
    }

    // Channel 0 over a 25 ms window in the middle of the segment: the waveform detail a listener hears.
    private static SvgLineChart WaveformChart(AudioSignal t, IReadOnlyList<(string Label, float[] Prediction)> runs)
    {
        int n = t.Frames, len = Math.Min(n, Math.Max(2, t.SampleRate / 40)), start = (n - len) / 2, c = t.Channels;
        var x = Enumerable.Range(start, len).Select(i => 1000.0 * (t.StartFrame + i) / t.SampleRate).ToList();
        var chart = new SvgLineChart { Title = "Waveform, 25 ms in the middle (channel 0)", XLabel = "time (ms)", YLabel = "amplitude" };
        chart.Series.Add(new ChartSeries("ground truth", x, Enumerable.Range(start, len).Select(i => (double)t.Samples[i * c]).ToList(), Color: "#000000"));
        for (int r = 0; r < runs.Count; r++)
        {
            var p = runs[r].Prediction;
            chart.Series.Add(new ChartSeries(runs[r].Label, x, Enumerable.Range(start, len).Select(i => (double)p[i * c]).ToList(), Dashed: true, Color: SvgLineChart.ColorAt(r)));
        }
        return chart;
    }

    // Largest |error| of channel 0 in ~600 buckets over the whole segment (log scale).
    private static SvgLineChart ErrorChart(AudioSignal t, IReadOnlyList<(string Label, float[] Prediction)> runs)
    {
        int n = t.Frames, buckets = Math.Min(600, n), c = t.Channels;
        var chart = new SvgLineChart { Title = "Error envelope max |t − p| (channel 0)", XLabel = "time (s)", YLabel = "|error|", LogY = true };
        for (int r = 0; r < runs.Count; r++)
        {
            var p = runs[r].Prediction;
            var xs = new List<double>(); var ys = new List<double>();
            for (int b = 0; b < buckets; b++)
            {
                int lo = (int)((long)b * n / buckets), hi = (int)((long)(b + 1) * n / buckets);
                double m = 0;
                for (int i = lo; i < hi; i++) m = Math.Max(m, Math.Abs(t.Samples[i * c] - p[i * c]));
                xs.Add((t.StartFrame + (lo + hi) / 2.0) / t.SampleRate); ys.Add(m);
            }
            chart.Series.Add(new ChartSeries(runs[r].Label.Length > 0 ? runs[r].Label : "error", xs, ys, Color: SvgLineChart.ColorAt(r)));
        }
        return chart;
    }

    /// <summary>
    /// Spectrograms of channel 0 side by side: ground truth, each prediction, then each error signal,
    /// low frequencies at the bottom, on one colour scale (the ground truth's maximum down to 80 dB below).
    /// </summary>
    internal static PngImage SpectrogramStrip(AudioSignal t, IReadOnlyList<float[]> predictions)
    {
        int c = t.Channels;
        var target = AudioSignal.Channel(t.Samples, c, 0);
        var signals = new List<float[]> { target };
        signals.AddRange(predictions.Select(p => AudioSignal.Channel(p, c, 0)));
        signals.AddRange(predictions.Select(p => { var e = AudioSignal.Channel(p, c, 0); for (int i = 0; i < e.Length; i++) e[i] = target[i] - e[i]; return e; }));
        var specs = signals.Select(s => Spectrogram.Compute(s, t.SampleRate)).ToList();
        float vmax = specs[0].Decibels.Max(), vmin = vmax - 80;
        int bins = specs[0].Bins, frames = specs[0].Frames;
        int colScale = Math.Max(1, 320 / frames), rowStep = bins > 300 ? 2 : 1, gap = 4;
        int pw = frames * colScale, ph = (bins + rowStep - 1) / rowStep, width = specs.Count * pw + (specs.Count - 1) * gap;
        var px = new float[ph * width * 3];
        Array.Fill(px, 1f);
        for (int s = 0; s < specs.Count; s++)
        {
            int x0 = s * (pw + gap);
            for (int y = 0; y < ph; y++)
            {
                int bin = Math.Min(bins - 1, (ph - 1 - y) * rowStep);
                for (int x = 0; x < pw; x++)
                {
                    float v = (specs[s].Decibels[bin * frames + x / colScale] - vmin) / (vmax - vmin);
                    var (r, g, b) = Colormap(Math.Clamp(v, 0f, 1f));
                    int i = (y * width + x0 + x) * 3;
                    px[i] = r; px[i + 1] = g; px[i + 2] = b;
                }
            }
        }
        return PngImage.FromFloat(px, width, ph, 3);
    }

    // A perceptually ordered dark-blue → green → yellow map (piecewise linear through viridis' anchors).
    private static (float, float, float) Colormap(float v)
    {
        ReadOnlySpan<float> a = [0.267f, 0.005f, 0.329f, 0.229f, 0.322f, 0.546f, 0.128f, 0.567f, 0.551f, 0.369f, 0.789f, 0.383f, 0.993f, 0.906f, 0.144f];
        float f = v * 4; int k = Math.Min(3, (int)f); float u = f - k;
        return (a[k * 3] + u * (a[k * 3 + 3] - a[k * 3]), a[k * 3 + 1] + u * (a[k * 3 + 4] - a[k * 3 + 1]), a[k * 3 + 2] + u * (a[k * 3 + 5] - a[k * 3 + 2]));
    }
}
