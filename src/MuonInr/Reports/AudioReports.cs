using System.Globalization;
using MuonInr.Experiments;
using MuonInr.IO;
using MuonInr.Signals;

namespace MuonInr.Reports;

/// <summary>Writes audio runs and comparisons: files, the reconstruction as WAV, spectrograms and report.html.</summary>
public static class AudioReports
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Writes every file of one run into <paramref name="dir"/>.</summary>
    public static void WriteRun(RunDirectory dir, AudioFitResult r)
    {
        dir.WriteJson("config.json", Config(r.Options));
        dir.WriteMetrics(r.History);
        dir.WriteRanks(r.History);
        dir.WriteJson("summary.json", r.Summary);
        var t = r.Target;
        dir.WriteBytes("reconstruction.wav", Wav.Encode(new WavAudio(r.Prediction, t.Channels, t.SampleRate, WavSampleFormat.Float32), WavSampleFormat.Float32));
        byte[] spectra = Png.Encode(SpectrogramStrip(t, [r.Prediction]));
        dir.WriteBytes("spectrogram.png", spectra);

        var s = r.Summary;
        var report = new HtmlReport($"MuonInr: {s.Model} + {s.Optimizer} on {Path.GetFileName(r.Options.AudioPath ?? "generated test signal")}");
        report.Heading("Result").KeyValues(SummaryRows(s));
        report.Heading("Signal")
              .Charts(WaveformChart(t, [("reconstruction", r.Prediction)]), ErrorChart(t, [("", r.Prediction)]))
              .Images([("spectrograms (dB, 1024-point STFT, hop 512; same colour scale): ground truth | reconstruction | error", spectra)]);
        var h = new List<(string, TrainingHistory)> { ("", r.History) };
        report.Heading("Training").Charts(ImageReports.LossChart(h), ImageReports.PsnrChart(h, "SNR"));
        report.Heading("Rank diagnostics")
              .Paragraph("Stable rank ‖W‖_F²/‖W‖₂² of every Linear weight over training, and the final singular value spectra.")
              .Charts(ImageReports.RankChart(h), ImageReports.SpectraChart(h));
        report.Heading("Configuration").KeyValues(Config(r.Options).Select(kv => (kv.Key, Convert.ToString(kv.Value, Ci) ?? "null")));
        dir.WriteText("report.html", report.ToHtml());
    }

    /// <summary>Writes a side-by-side comparison of several runs on the same signal.</summary>
    public static void WriteComparison(RunDirectory dir, IReadOnlyList<(string Label, AudioFitResult Result)> runs)
    {
        var first = runs[0].Result;
        var t = first.Target;
        byte[] spectra = Png.Encode(SpectrogramStrip(t, [.. runs.Select(r => r.Result.Prediction)]));
        dir.WriteBytes("spectrogram.png", spectra);
        dir.WriteJson("summary.json", runs.Select(r => new { label = r.Label, summary = r.Result.Summary }).ToList());
        var report = new HtmlReport($"MuonInr comparison: {first.Summary.Model} on {Path.GetFileName(first.Options.AudioPath ?? "generated test signal")}");
        report.Heading("Metrics").Table(
            ["run", "optimizer", "LR (Adam / aux)", "Muon LR", "SNR dB", "SI-SNR dB", "s/step", "stable rank per Linear layer (input → output)"],
            runs.Select(r => (IReadOnlyList<string>)[
                r.Label, r.Result.Summary.Optimizer, r.Result.Summary.LearningRate.ToString("G3", Ci),
                double.IsNaN(r.Result.Summary.MuonLearningRate) ? "-" : r.Result.Summary.MuonLearningRate.ToString("G3", Ci),
                r.Result.Summary.Snr?.ToString("F2", Ci) ?? "-", r.Result.Summary.SiSnr?.ToString("F2", Ci) ?? "-", r.Result.Summary.SecondsPerStep.ToString("F3", Ci),
                string.Join(" / ", r.Result.Summary.StableRanks.Select(v => v.ToString("F1", Ci)))]));
        report.Heading("Signal")
              .Charts(WaveformChart(t, [.. runs.Select(r => (r.Label, r.Result.Prediction))]), ErrorChart(t, [.. runs.Select(r => (r.Label, r.Result.Prediction))]))
              .Images([("spectrograms (dB, same colour scale): ground truth | " + string.Join(" | ", runs.Select(r => r.Label)) + " | errors in the same order", spectra)]);
        var hs = runs.Select(r => (r.Label, r.Result.History)).ToList();
        report.Heading("Training").Charts(ImageReports.LossChart(hs), ImageReports.PsnrChart(hs, "SNR"));
        report.Heading("Rank diagnostics")
              .Paragraph("Stable rank of every Linear weight over training (solid: first run, dashed: second, …; colour = layer), and the final singular value spectra.")
              .Charts(ImageReports.RankChart(hs), ImageReports.SpectraChart(hs));
        foreach (var (label, res) in runs)
            report.Heading($"Configuration: {label}").KeyValues(Config(res.Options).Select(kv => (kv.Key, Convert.ToString(kv.Value, Ci) ?? "null")));
        dir.WriteText("report.html", report.ToHtml());
    }

    /// <summary>The options as a flat JSON-friendly object.</summary>
    public static Dictionary<string, object?> Config(AudioFitOptions o) => RunConfig.WithModelAndOptimizer(new()
    {
        ["task"] = "audio",
        ["audio"] = o.AudioPath ?? "generated",
        ["start_seconds"] = o.StartSeconds,
        ["seconds"] = o.Seconds,
        ["time_scale"] = o.TimeScale ?? AudioFitOptions.DefaultTimeScale(o.Model),
        ["steps"] = o.Steps,
        ["inpaint_fraction"] = o.InpaintFraction,
        ["seed"] = o.Seed,
        ["chunk"] = o.Chunk,
        ["eval_every"] = o.EvalEvery,
        ["rank_every"] = o.RankEvery,
    }, o.Model, o.Field, o.Optimizer);

    private static IEnumerable<(string, string)> SummaryRows(RunSummary s)
        => RunConfig.SummaryRows(s, [("SNR", s.Snr?.ToString("F2", Ci) + " dB"), ("SI-SNR", s.SiSnr?.ToString("F2", Ci) + " dB")]);

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
    public static PngImage SpectrogramStrip(AudioSignal t, IReadOnlyList<float[]> predictions)
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
