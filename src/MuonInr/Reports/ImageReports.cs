using System.Globalization;
using MuonInr.Experiments;
using MuonInr.IO;

namespace MuonInr.Reports;

/// <summary>Writes image runs and comparisons: files, pictures and report.html.</summary>
public static class ImageReports
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Writes every file of one run into <paramref name="dir"/>.</summary>
    public static void WriteRun(RunDirectory dir, ImageFitResult r)
    {
        dir.WriteJson("config.json", Config(r.Options));
        dir.WriteMetrics(r.History);
        dir.WriteRanks(r.History);
        dir.WriteJson("summary.json", r.Summary);
        var t = r.Target;
        byte[] recon = Png.Encode(PngImage.FromFloat(r.Prediction, t.Width, t.Height, t.Channels));
        byte[] comparison = Png.Encode(ComparisonStrip(t.Pixels, [r.Prediction, .. r.Baselines.Select(b => b.Image)], t.Height, t.Width, t.Channels));
        dir.WriteBytes("reconstruction.png", recon);
        dir.WriteBytes("comparison.png", comparison);

        var s = r.Summary;
        var report = new HtmlReport($"MuonInr: {s.Model} + {s.Optimizer} on {Path.GetFileName(r.Options.ImagePath ?? "generated test image")}");
        report.Heading("Result").KeyValues(SummaryRows(s));
        string panels = r.Baselines.Count == 0 ? "ground truth | reconstruction | error ×4"
            : $"ground truth | reconstruction | {string.Join(" | ", r.Baselines.Select(b => b.Label))} | errors ×4 in the same order";
        report.Heading("Images").Images([(panels, comparison)]);
        report.Heading("Training").Charts(LossChart([("", r.History)]), PsnrChart([("", r.History)]));
        report.Heading("Rank diagnostics")
              .Paragraph("Stable rank ‖W‖_F²/‖W‖₂² of every Linear weight over training, and the final singular value spectra. Under Adam the hidden layers' stable rank collapses; orthogonalized (Muon) updates keep it high.")
              .Charts(RankChart([("", r.History)]), SpectraChart([("", r.History)]));
        report.Heading("Configuration").KeyValues(ConfigRows(r.Options));
        dir.WriteText("report.html", report.ToHtml());
    }

    /// <summary>Writes a side-by-side comparison of several runs on the same image into <paramref name="dir"/>.</summary>
    public static void WriteComparison(RunDirectory dir, IReadOnlyList<(string Label, ImageFitResult Result)> runs)
    {
        var first = runs[0].Result;
        var t = first.Target;
        byte[] strip = Png.Encode(ComparisonStrip(t.Pixels, [.. runs.Select(r => r.Result.Prediction), .. first.Baselines.Select(b => b.Image)], t.Height, t.Width, t.Channels));
        dir.WriteBytes("comparison.png", strip);
        dir.WriteJson("summary.json", runs.Select(r => new { label = r.Label, summary = r.Result.Summary }).ToList());
        var report = new HtmlReport($"MuonInr comparison: {first.Summary.Model} on {Path.GetFileName(first.Options.ImagePath ?? "generated test image")}");
        if (first.Summary.Baseline is not null)
            report.Heading("Baseline").Paragraph($"{first.Summary.Baseline}: PSNR {first.Summary.BaselinePsnr?.ToString("F2", Ci)} dB, SSIM {first.Summary.BaselineSsim?.ToString("F4", Ci)}");
        report.Heading("Metrics").Table(
            ["run", "optimizer", "LR (Adam / aux)", "Muon LR", "PSNR dB", $"SSIM ({first.Summary.SsimVariant})", "s/step", "stable rank per Linear layer (input → output)"],
            runs.Select(r => (IReadOnlyList<string>)[
                r.Label, r.Result.Summary.Optimizer, r.Result.Summary.LearningRate.ToString("G3", Ci),
                double.IsNaN(r.Result.Summary.MuonLearningRate) ? "-" : r.Result.Summary.MuonLearningRate.ToString("G3", Ci),
                r.Result.Summary.Psnr?.ToString("F2", Ci) ?? "-", r.Result.Summary.Ssim?.ToString("F3", Ci) ?? "-", r.Result.Summary.SecondsPerStep.ToString("F3", Ci),
                string.Join(" / ", r.Result.Summary.StableRanks.Select(v => v.ToString("F1", Ci)))]));
        report.Heading("Images").Images(
            [("ground truth | " + string.Join(" | ", runs.Select(r => r.Label).Concat(first.Baselines.Select(b => b.Label))) + " | error maps ×4 in the same order", strip)]);
        var hs = runs.Select(r => (r.Label, r.Result.History)).ToList();
        report.Heading("Training").Charts(LossChart(hs), PsnrChart(hs));
        report.Heading("Rank diagnostics")
              .Paragraph("Stable rank of every Linear weight over training (solid: first run, dashed: second, …; colour = layer), and the final singular value spectra.")
              .Charts(RankChart(hs), SpectraChart(hs));
        foreach (var (label, res) in runs) report.Heading($"Configuration: {label}").KeyValues(ConfigRows(res.Options));
        dir.WriteText("report.html", report.ToHtml());
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

    private static IEnumerable<(string, string)> SummaryRows(RunSummary s)
    {
        var rows = new List<(string, string)> { ("PSNR", s.Psnr?.ToString("F2", Ci) + " dB"), ($"SSIM ({s.SsimVariant})", s.Ssim?.ToString("F4", Ci) ?? "-") };
        if (s.Baseline is not null)
            rows.Add(($"baseline: {s.Baseline}", $"PSNR {s.BaselinePsnr?.ToString("F2", Ci)} dB, SSIM {s.BaselineSsim?.ToString("F4", Ci)}"));
        return RunConfig.SummaryRows(s, rows);
    }

    /// <summary>The options as a flat JSON-friendly object.</summary>
    public static Dictionary<string, object?> Config(ImageFitOptions o) => RunConfig.WithModelAndOptimizer(new()
    {
        ["task"] = o.Task,
        ["projections"] = o.Task == "ct" ? o.Projections : null,
        ["angles"] = o.Task == "ct" ? "linspace(0, 180, projections)" : null,
        ["noise_tau"] = o.Task == "ct" ? o.NoiseTau : null,
        ["noise_readout"] = o.Task == "ct" && o.NoiseTau is not null ? o.NoiseReadout : null,
        ["scale_factor"] = o.Task == "sisr" ? o.ScaleFactor : null,
        ["degradation"] = o.Task == "sisr" ? "bicubic, antialias (torch interpolate semantics)" : null,
        ["image"] = o.ImagePath ?? "generated",
        ["steps"] = o.Steps,
        ["downsample"] = o.Downsample,
        ["crop"] = o.Crop is { } c ? $"{c.Height}x{c.Width}" : null,
        ["gray"] = o.Gray,
        ["inpaint_fraction"] = o.InpaintFraction,
        ["seed"] = o.Seed,
        ["chunk"] = o.Chunk,
        ["eval_every"] = o.EvalEvery,
        ["rank_every"] = o.RankEvery,
        ["ssim_variant"] = o.SsimVariant.ToString(),
    }, o.Model, o.Field, o.Optimizer);

    private static IEnumerable<(string, string)> ConfigRows(ImageFitOptions o)
        => Config(o).Select(kv => (kv.Key, Convert.ToString(kv.Value, Ci) ?? "null"));

    private static string Prefix(string label) => label.Length > 0 ? label + " " : "";

    internal static SvgLineChart LossChart(IReadOnlyList<(string Label, TrainingHistory H)> runs)
    {
        var chart = new SvgLineChart { Title = "Training loss (MSE)", XLabel = "step", YLabel = "loss", LogY = true };
        for (int i = 0; i < runs.Count; i++)
        {
            var m = runs[i].H.Metrics.Where(r => r.Step > 0).ToList();
            chart.Series.Add(new ChartSeries(Prefix(runs[i].Label) + "loss", m.Select(r => (double)r.Step).ToList(), m.Select(r => r.Loss).ToList(), Color: SvgLineChart.ColorAt(i)));
        }
        return chart;
    }

    internal static SvgLineChart PsnrChart(IReadOnlyList<(string Label, TrainingHistory H)> runs, string metric = "PSNR")
    {
        var chart = new SvgLineChart { Title = metric, XLabel = "step", YLabel = "dB" };
        for (int i = 0; i < runs.Count; i++)
        {
            var m = runs[i].H.Metrics;
            chart.Series.Add(new ChartSeries(Prefix(runs[i].Label) + metric, m.Select(r => (double)r.Step).ToList(), m.Select(r => r.Psnr).ToList(), Color: SvgLineChart.ColorAt(i)));
        }
        return chart;
    }

    internal static SvgLineChart RankChart(IReadOnlyList<(string Label, TrainingHistory H)> runs)
    {
        var chart = new SvgLineChart { Title = "Stable rank per layer", XLabel = "step", YLabel = "stable rank", Height = 360 };
        for (int i = 0; i < runs.Count; i++)
            foreach (var layer in runs[i].H.Ranks.GroupBy(r => r.Layer).OrderBy(g => g.Key))
                chart.Series.Add(new ChartSeries($"{Prefix(runs[i].Label)}L{layer.Key}", layer.Select(r => (double)r.Step).ToList(),
                    layer.Select(r => r.StableRank).ToList(), Dashed: i > 0, Color: SvgLineChart.ColorAt(layer.Key)));
        return chart;
    }

    internal static SvgLineChart SpectraChart(IReadOnlyList<(string Label, TrainingHistory H)> runs)
    {
        var chart = new SvgLineChart { Title = "Final singular values", XLabel = "index", YLabel = "σ", LogY = true, Height = 360 };
        for (int i = 0; i < runs.Count; i++)
            for (int l = 0; l < runs[i].H.FinalSpectra.Count; l++)
            {
                var (name, sv) = runs[i].H.FinalSpectra[l];
                chart.Series.Add(new ChartSeries($"{Prefix(runs[i].Label)}L{l}", Enumerable.Range(0, sv.Length).Select(x => (double)x).ToList(), sv, Dashed: i > 0, Color: SvgLineChart.ColorAt(l)));
            }
        return chart;
    }
}
