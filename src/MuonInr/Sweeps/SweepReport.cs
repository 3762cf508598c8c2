using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonInr.Experiments;
using MuonInr.Optim;
using MuonInr.Rendering;

namespace MuonInr.Sweeps;

/// <summary>
/// The sweep report (report.html in the sweep folder, self-contained): per architecture, the tune-set
/// metric over Muon LR x auxiliary Adam LR as a heatmap and over the LR of every other optimizer as a
/// curve; the selected configurations with links to their runs' reports; the evaluate-set table (per
/// file and mean, every winner side by side, Muon's win count against Adam); failed runs with messages.
/// Also writes the winners as a presets file that fit/compare/run accept (<c>--presets</c>).
/// </summary>
public static class SweepReport
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>
    /// Writes report.html into the folder; returns its path. With <paramref name="svgDirectory"/>, every chart
    /// of the report is also written there as a standalone SVG (for papers and docs), named
    /// <c>{model}-{optimizer}-heatmap.svg</c>, <c>{model}-lr.svg</c> and <c>{model}-{optimizer}-by-setting.svg</c>.
    /// </summary>
    public static string Write(SweepFolder folder, string? svgDirectory = null)
    {
        if (svgDirectory is not null) Directory.CreateDirectory(svgDirectory);
        var (runs, metric, maximize, _) = folder.ReadPlan();
        var states = runs.Select(folder.State).ToList();
        var scores = SweepSelection.Scores(states, metric, maximize);
        var winners = SweepSelection.Winners(scores, maximize);
        string name = Path.GetFileName(folder.Path);
        var report = new HtmlReport($"MuonInr sweep {name}: {metric} ({(maximize ? "higher" : "lower")} is better)");
        var tune = states.Where(s => s.Run.Stage == "tune").ToList();
        var eval = states.Where(s => s.Run.Stage == "evaluate").ToList();
        report.Heading("Sweep").KeyValues([
            ("task", string.Join(", ", runs.Select(r => r.Spec.Task).Distinct())),
            ("tune data", string.Join(", ", tune.Select(s => s.Run.DataLabel).Distinct())),
            ("evaluate data", eval.Count == 0 ? "none" : string.Join(", ", eval.Select(s => s.Run.DataLabel).Distinct())),
            ("runs", $"{states.Count} planned: {states.Count(s => s.Status == "completed")} completed, {states.Count(s => s.Status == "diverged")} diverged, {states.Count(s => s.Status == "failed")} failed, {states.Count(s => !s.Final && s.Status != "failed")} pending or interrupted"),
            ("selection", $"per (model, optimizer), the configuration with the {(maximize ? "highest" : "lowest")} mean {metric} over the tune files and seeds; a diverged run counts as the worst value"),
        ]);

        foreach (var model in scores.Select(s => s.Model).Distinct().Order(StringComparer.Ordinal))
        {
            report.Heading($"Tuning: {model}");
            var svgs = new List<string>();
            void Add(string file, string svg)
            {
                svgs.Add(svg);
                if (svgDirectory is not null) File.WriteAllText(Path.Combine(svgDirectory, FileName(file) + ".svg"), svg);
            }
            foreach (var muon in scores.Where(s => s.Model == model && MuonRule.IsMuonFamily(s.Optimizer)).GroupBy(s => s.Optimizer).Select(g => g.ToList()))
            {
                var rows = muon.Select(s => s.Representative.Spec.Optimizer.MuonLr!.Value).Distinct().Order().ToList();
                var cols = muon.Select(s => s.Representative.Spec.Optimizer.Lr!.Value).Distinct().Order().ToList();
                var values = new double[rows.Count, cols.Count];
                for (int r = 0; r < rows.Count; r++)
                    for (int c = 0; c < cols.Count; c++)
                    {
                        var cell = muon.Where(s => s.Representative.Spec.Optimizer.MuonLr == rows[r] && s.Representative.Spec.Optimizer.Lr == cols[c]).Select(s => s.Score).ToList();
                        values[r, c] = cell.Count == 0 ? double.NaN : maximize ? cell.Max() : cell.Min();
                    }
                Add($"{model}-{muon[0].Optimizer}-heatmap", new SvgHeatmap
                {
                    Title = $"{model} + {muon[0].Optimizer}: {metric} on the tune set", Rows = rows.Select(v => v.ToString("G3", Ci)).ToList(), Columns = cols.Select(v => v.ToString("G3", Ci)).ToList(),
                    Values = values, RowLabel = "Muon LR", ColumnLabel = "auxiliary Adam LR", HigherIsBetter = maximize,
                }.ToSvg());
            }
            var others = scores.Where(s => s.Model == model && !MuonRule.IsMuonFamily(s.Optimizer)).GroupBy(s => s.Optimizer).ToList();
            if (others.Count > 0)
            {
                var chart = new SvgLineChart { Title = $"{model}: {metric} vs learning rate", XLabel = "log10 learning rate", YLabel = metric };
                int i = 0;
                foreach (var g in others)
                {
                    var pts = g.GroupBy(s => s.Representative.Spec.Optimizer.Lr!.Value).Select(x => (Lr: x.Key, V: maximize ? x.Max(s => s.Score) : x.Min(s => s.Score))).OrderBy(p => p.Lr).ToList();
                    chart.Series.Add(new ChartSeries(g.Key, pts.Select(p => Math.Log10(p.Lr)).ToList(), pts.Select(p => double.IsFinite(p.V) ? p.V : double.NaN).ToList(), Color: SvgLineChart.ColorAt(i++)));
                }
                Add($"{model}-lr", chart.ToSvg());
            }
            foreach (var (optimizer, svg) in CurvesBySetting(scores.Where(s => s.Model == model).ToList(), metric, maximize))
                Add($"{model}-{optimizer}-by-setting", svg);
            report.Svgs([.. svgs]);
        }

        report.Heading("Selected configurations").LinkTable(
            ["model", "optimizer", "LR (Adam / aux)", "Muon LR", $"tune {metric} (mean)", "runs", "configuration", "run report"],
            winners.Select(w => (IReadOnlyList<(string, string?)>)[
                (w.Model, null), (w.Optimizer, null), (w.Representative.Spec.Optimizer.Lr!.Value.ToString("G3", Ci), null),
                (w.Representative.Spec.Optimizer.MuonLr?.ToString("G3", Ci) ?? "-", null), (w.Score.ToString("F3", Ci), null), (w.Runs.ToString(Ci), null),
                (w.ConfigKey, null), ("report", $"runs/{w.Representative.Id}/report.html")]));

        if (eval.Count > 0)
        {
            foreach (var model in eval.Select(s => s.Run.Spec.Model.Name!).Distinct().Order(StringComparer.Ordinal))
            {
                var mine = eval.Where(s => s.Run.Spec.Model.Name == model).ToList();
                var opts = mine.Select(s => s.Run.Spec.Optimizer.Name!).Distinct().Order(StringComparer.Ordinal).ToList();
                var files = mine.Select(s => s.Run.DataLabel).Distinct().ToList();
                var rows = new List<IReadOnlyList<(string, string?)>>();
                int muonWins = 0, compared = 0;
                var sums = new double[opts.Count]; var counts = new int[opts.Count];
                var ssimSums = new double[opts.Count];
                foreach (var f in files)
                {
                    var row = new List<(string, string?)> { (f, null) };
                    var byOpt = new Dictionary<string, double>();
                    for (int k = 0; k < opts.Count; k++)
                    {
                        var runsHere = mine.Where(s => s.Run.DataLabel == f && s.Run.Spec.Optimizer.Name == opts[k]).ToList();
                        var vals = runsHere.Select(s => ResultsStore.MetricOf(s.Summary, metric) ?? double.NaN).ToList();
                        double v = vals.Count > 0 && vals.All(double.IsFinite) ? vals.Average() : double.NaN;
                        double ssim = runsHere.Select(s => s.Summary?.Metric("ssim") ?? double.NaN).DefaultIfEmpty(double.NaN).Average();
                        byOpt[opts[k]] = v;
                        if (double.IsFinite(v)) { sums[k] += v; counts[k]++; if (double.IsFinite(ssim)) ssimSums[k] += ssim; }
                        row.Add((double.IsFinite(v) ? v.ToString("F2", Ci) + (double.IsFinite(ssim) ? $" / {ssim.ToString("F3", Ci)}" : "") : runsHere.FirstOrDefault()?.Status ?? "-",
                            runsHere.Count == 1 && runsHere[0].Summary is not null ? $"runs/{runsHere[0].Run.Id}/report.html" : null));
                    }
                    if (byOpt.TryGetValue("muon", out var mv) && byOpt.TryGetValue("adam", out var av) && double.IsFinite(mv) && double.IsFinite(av))
                    {
                        compared++;
                        if (maximize ? mv > av : mv < av) muonWins++;
                    }
                    rows.Add(row);
                }
                rows.Add([("mean", null), .. opts.Select((o, k) => (counts[k] > 0 ? (sums[k] / counts[k]).ToString("F2", Ci) + $" / {(ssimSums[k] / counts[k]).ToString("F3", Ci)}" : "-", (string?)null))]);
                report.Heading($"Evaluation: {model} (tuned configurations on files they were not tuned on)")
                      .LinkTable(["file", .. opts.Select(o => $"{o}: {metric} / ssim")], rows);
                if (compared > 0) report.Paragraph($"Muon beats Adam on {muonWins} of {compared} files.");
            }
        }

        var failed = states.Where(s => s.Status == "failed").ToList();
        if (failed.Count > 0)
            report.Heading("Failed runs").Table(["id", "model", "optimizer", "attempts", "message"],
                failed.Select(s => (IReadOnlyList<string>)[s.Run.Id, s.Run.Spec.Model.Name!, s.Run.Spec.Optimizer.Name!, s.Attempts.ToString(Ci), s.Message ?? ""]));
        string path = Path.Combine(folder.Path, "report.html");
        File.WriteAllText(path + ".tmp", report.ToHtml());
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>
    /// When the configurations of one (model, optimizer) differ in more than their learning rates (e.g.
    /// model.hidden in a hyperparameter-transfer sweep), the metric against the LR (Muon's for the Muon
    /// family, best over the auxiliary LR) with one curve per setting: whether the best LR stays put.
    /// </summary>
    private static IEnumerable<(string Optimizer, string Svg)> CurvesBySetting(IReadOnlyList<ConfigScore> scores, string metric, bool maximize)
    {
        foreach (var group in scores.GroupBy(s => s.Optimizer).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            bool muon = MuonRule.IsMuonFamily(group.Key);
            var settings = group.Select(s => (Score: s, Leaves: RunSpecJson.Leaves(RunSpecJson.ToNode(s.Representative.Spec with { MuoninrVersion = null, Data = null, Seed = null }))
                .Where(l => l.Path is not ("optimizer.lr" or "optimizer.muon_lr")).ToDictionary(l => l.Path, l => l.Value))).ToList();
            var varying = settings.SelectMany(s => s.Leaves.Keys).Distinct()
                .Where(k => settings.Select(s => s.Leaves.GetValueOrDefault(k)).Distinct().Count() > 1).Order(StringComparer.Ordinal).ToList();
            if (varying.Count == 0) continue;
            var chart = new SvgLineChart
            {
                Title = $"{group.First().Model} + {group.Key}: {metric} vs {(muon ? "Muon LR" : "LR")} per setting of {string.Join(", ", varying)}",
                XLabel = muon ? "log10 Muon LR" : "log10 learning rate", YLabel = metric,
            };
            int i = 0;
            foreach (var curve in settings.GroupBy(s => string.Join(", ", varying.Select(k => $"{k.Split('.')[^1]}={s.Leaves.GetValueOrDefault(k)}"))).OrderBy(g => g.Key, NaturalOrder))
            {
                var pts = curve.GroupBy(s => muon ? s.Score.Representative.Spec.Optimizer.MuonLr!.Value : s.Score.Representative.Spec.Optimizer.Lr!.Value)
                    .Select(x => (Lr: x.Key, V: maximize ? x.Max(s => s.Score.Score) : x.Min(s => s.Score.Score))).OrderBy(p => p.Lr).ToList();
                chart.Series.Add(new ChartSeries(curve.Key, pts.Select(p => Math.Log10(p.Lr)).ToList(), pts.Select(p => double.IsFinite(p.V) ? p.V : double.NaN).ToList(), Color: SvgLineChart.ColorAt(i++)));
            }
            yield return (group.Key, chart.ToSvg());
        }
    }

    // Curve labels like "hidden=64" before "hidden=128": runs of digits compare as numbers.
    private static readonly Comparer<string> NaturalOrder = Comparer<string>.Create(static (a, b) =>
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int i0 = i, j0 = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                string x = a[i0..i].TrimStart('0'), y = b[j0..j].TrimStart('0');
                int c = x.Length != y.Length ? x.Length.CompareTo(y.Length) : string.CompareOrdinal(x, y);
                if (c != 0) return c;
            }
            else
            {
                if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                i++; j++;
            }
        }
        return (a.Length - i).CompareTo(b.Length - j);
    });

    // A file name from a model/optimizer label: letters, digits, '-', '_' and '.' kept, anything else '_'.
    private static string FileName(string label) => new(label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());


    /// <summary>
    /// Writes the winners' learning rates as a presets file (per task and architecture: lr by optimizer and
    /// muon_lr, each with its source) that <c>--presets</c> lays over the built-in table.
    /// </summary>
    public static void WritePresets(SweepFolder folder, string path)
    {
        var (runs, metric, maximize, _) = folder.ReadPlan();
        var winners = SweepSelection.Winners(SweepSelection.Scores(runs.Select(folder.State), metric, maximize), maximize);
        var root = new JsonObject();
        string name = Path.GetFileName(folder.Path);
        foreach (var w in winners)
        {
            var spec = w.Representative.Spec;
            var task = root[spec.Task!] as JsonObject ?? (JsonObject)(root[spec.Task!] = new JsonObject { ["models"] = new JsonObject(), ["sources"] = new JsonObject() });
            var models = (JsonObject)task["models"]!; var sources = (JsonObject)task["sources"]!;
            var entry = models[w.Model] as JsonObject ?? (JsonObject)(models[w.Model] = new JsonObject());
            var lr = entry["lr"] as JsonObject ?? (JsonObject)(entry["lr"] = new JsonObject());
            lr[w.Optimizer] = spec.Optimizer.Lr;
            string src = $"sweep {name}: best mean {metric} over {w.Runs} tune run(s) ({w.Score.ToString("F3", Ci)})";
            sources[$"models.{w.Model}.lr.{w.Optimizer}"] = src;
            if (w.Optimizer == "muon") { entry["muon_lr"] = spec.Optimizer.MuonLr; sources[$"models.{w.Model}.muon_lr"] = src; }
        }
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
