using System.Globalization;
using System.Text.Json.Nodes;
using MuonInr.Experiments;
using MuonInr.Rendering;
using MuonInr.Tasks;

namespace MuonInr.Reports;

/// <summary>
/// report.html and the task's files of a run or a comparison, for any task: the result table, the task's
/// own panels (images, spectrograms, …), training curves, rank diagnostics and the configuration.
/// </summary>
public static class RunReport
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Writes the task's files and report.html of one run into <paramref name="dir"/>.</summary>
    public static void WriteRun(RunDirectory dir, FitResult r)
    {
        var artifacts = r.Problem.Artifacts([("", r.Prediction)]);
        foreach (var (name, bytes) in artifacts.Files) dir.WriteBytes(name, bytes);
        var s = r.Summary;
        var report = new HtmlReport($"MuonInr {s.Task}: {s.Model} + {s.Optimizer} on {DataName(r.Spec)}");
        report.Heading("Result").KeyValues(SummaryRows(s));
        AddSections(report, artifacts);
        var h = new List<(string, TrainingHistory)> { ("", r.History) };
        report.Heading("Training").Charts(LossChart(h), QualityChart(h));
        report.Heading("Rank diagnostics")
              .Paragraph("Stable rank ‖W‖_F²/‖W‖₂² of every weight matrix over training, and the final singular value spectra. Under Adam the hidden layers' stable rank collapses; orthogonalized (Muon) updates keep it high.")
              .Charts(RankChart(h), SpectraChart(h));
        report.Heading("Configuration (config.json)").KeyValues(ConfigRows(r.Spec));
        dir.WriteText("report.html", report.ToHtml());
    }

    /// <summary>Writes a side-by-side comparison of runs of the same task and data into <paramref name="dir"/>.</summary>
    public static void WriteComparison(RunDirectory dir, IReadOnlyList<(string Label, FitResult Result)> runs)
    {
        var first = runs[0].Result;
        var artifacts = first.Problem.Artifacts([.. runs.Select(r => (r.Label, r.Result.Prediction))]);
        foreach (var (name, bytes) in artifacts.Files) dir.WriteBytes(name, bytes);
        dir.WriteJson("summary.json", runs.Select(r => new { label = r.Label, summary = r.Result.Summary }).ToList());
        var s0 = first.Summary;
        var report = new HtmlReport($"MuonInr {s0.Task} comparison: {string.Join(", ", runs.Select(r => r.Result.Summary.Model).Distinct())} on {DataName(first.Spec)}");
        if (s0.Baseline is { } b)
            report.Heading("Baseline").Paragraph($"{b.Name}: " + string.Join(", ", b.Metrics.Select(m => $"{m.Key} {Format(m.Value)}")));
        var metricNames = s0.Metrics.Keys.ToList();
        report.Heading("Metrics").Table(
            ["run", "model", "optimizer", "LR (Adam / aux)", "Muon LR", .. metricNames, "s/step", "status", "stable rank per weight matrix (input → output)"],
            runs.Select(r => (IReadOnlyList<string>)[
                r.Label, r.Result.Summary.Model, r.Result.Summary.Optimizer, r.Result.Summary.Lr.ToString("G3", Ci),
                r.Result.Summary.MuonLr?.ToString("G3", Ci) ?? "-",
                .. metricNames.Select(n => r.Result.Summary.Metrics.TryGetValue(n, out var v) ? Format(v) : "-"),
                r.Result.Summary.SecondsPerStep.ToString("F3", Ci), r.Result.Summary.Status,
                string.Join(" / ", r.Result.Summary.StableRanks.Select(v => v.ToString("F1", Ci)))]));
        report.Heading("Metric conventions").KeyValues(s0.Metrics.Select(m => (m.Key, m.Value.Convention)));
        AddSections(report, artifacts);
        var hs = runs.Select(r => (r.Label, r.Result.History)).ToList();
        report.Heading("Training").Charts(LossChart(hs), QualityChart(hs));
        report.Heading("Rank diagnostics")
              .Paragraph("Stable rank of every weight matrix over training (solid: first run, dashed: the others; colour = layer), and the final singular value spectra.")
              .Charts(RankChart(hs), SpectraChart(hs));
        foreach (var (label, res) in runs) report.Heading($"Configuration: {label}").KeyValues(ConfigRows(res.Spec));
        dir.WriteText("report.html", report.ToHtml());
    }

    private static void AddSections(HtmlReport report, TaskArtifacts artifacts)
    {
        foreach (var section in artifacts.Sections)
        {
            report.Heading(section.Heading);
            if (section.Paragraph is not null) report.Paragraph(section.Paragraph);
            if (section.Charts.Count > 0) report.Charts([.. section.Charts]);
            if (section.Images.Count > 0) report.Images(section.Images);
        }
    }

    private static string DataName(RunSpec s) => s.Data == TaskContext.Generated ? "the generated test signal" : Path.GetFileName(s.Data!);

    /// <summary>A metric as text: value and unit, or "n/a" with the reason.</summary>
    public static string Format(MetricValue m) => m.Value is { } v ? Number(v, m.Unit, 4) + (m.Unit.Length > 0 ? " " + m.Unit : "") : $"n/a ({m.Note})";

    /// <summary>
    /// A metric value for text: dB with 2 decimals, others with <paramref name="decimals"/>, and values too
    /// small for that (an SDF's mean squared error of 5e-6) in 3 significant digits instead of 0.0000.
    /// </summary>
    public static string Number(double v, string unit, int decimals = 3) =>
        unit == "dB" ? v.ToString("F2", Ci)
        : v != 0 && Math.Abs(v) < Math.Pow(10, -decimals + 1) ? v.ToString("0.00E+0", Ci)
        : v.ToString("F" + decimals.ToString(Ci), Ci);

    /// <summary>The rows of a run's "Result" table.</summary>
    public static IEnumerable<(string, string)> SummaryRows(RunSummary s)
    {
        yield return ("status", s.Status + (s.Stopped is null ? "" : $": {s.Stopped}"));
        yield return ("model", s.Model);
        yield return ("optimizer", s.Optimizer + (s.Routing.Length > 0 ? $" (Muon on {s.Routing})" : ""));
        foreach (var (name, m) in s.Metrics) yield return (name, $"{Format(m)} — {m.Convention}");
        if (s.Baseline is { } b)
            yield return ($"baseline: {b.Name}", string.Join(", ", b.Metrics.Select(m => $"{m.Key} {Format(m.Value)}")));
        yield return ("steps", $"{s.Steps.ToString(Ci)} of {s.StepsPlanned.ToString(Ci)}");
        yield return ("seconds per step", s.SecondsPerStep.ToString("F4", Ci) + $" (GEMM: {s.Gemm})");
        if (s.InitialStableRanks.Length > 0) yield return ("stable ranks at start", string.Join(" / ", s.InitialStableRanks.Select(v => v.ToString("F1", Ci))));
        yield return ("stable ranks at end", string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci))));
        yield return ("parameters", s.Parameters.ToString(Ci));
        yield return ("signal", s.Signal);
    }

    private static IEnumerable<(string, string)> ConfigRows(RunSpec spec) => RunSpecJson.Leaves(RunSpecJson.ToNode(spec));

    private static string Prefix(string label) => label.Length > 0 ? label + " " : "";

    internal static SvgLineChart LossChart(IReadOnlyList<(string Label, TrainingHistory H)> runs)
    {
        var chart = new SvgLineChart { Title = "Training loss", XLabel = "step", YLabel = "loss", LogY = true };
        for (int i = 0; i < runs.Count; i++)
        {
            var m = runs[i].H.Metrics.Where(r => r.Step > 0 && double.IsFinite(r.Loss)).ToList();
            chart.Series.Add(new ChartSeries(Prefix(runs[i].Label) + "loss", m.Select(r => (double)r.Step).ToList(), m.Select(r => r.Loss).ToList(), Color: SvgLineChart.ColorAt(i)));
        }
        return chart;
    }

    internal static SvgLineChart QualityChart(IReadOnlyList<(string Label, TrainingHistory H)> runs)
    {
        string metric = runs[0].H.MetricName.ToUpperInvariant().Replace('_', '-');
        var chart = new SvgLineChart { Title = metric, XLabel = "step", YLabel = "dB" };
        for (int i = 0; i < runs.Count; i++)
        {
            var m = runs[i].H.Metrics.Where(r => double.IsFinite(r.Psnr)).ToList();
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
                var (_, sv) = runs[i].H.FinalSpectra[l];
                chart.Series.Add(new ChartSeries($"{Prefix(runs[i].Label)}L{l}", Enumerable.Range(0, sv.Length).Select(x => (double)x).ToList(), sv, Dashed: i > 0, Color: SvgLineChart.ColorAt(l)));
            }
        return chart;
    }
}
