using System.Text.Json.Nodes;
using MuonInr.Cli;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Sweeps;

using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Sweeps;

public class SweepTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-sweep-" + Guid.NewGuid().ToString("N"));

    public SweepTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Cli(string[] args, Func<bool>? stop = null) => CliRunner.Run(args, stop);

    private const string Tiny = """
        name: tiny
        base: { task: image, steps: 12, eval_every: 6, rank_every: 6, model: { name: relu-mlp, hidden: 16, layers: 3 }, options: { generated_width: 24 } }
        grids:
          - name: adam
            axes:
              optimizer.name: [adam]
              optimizer.lr: logspace(1e-3, 1e-2, 3)
          - name: muon
            axes: { optimizer.name: [muon], optimizer.muon_lr: [0.03, 0.1], optimizer.lr: [1e-3, 1e-2] }
        seeds: [0]
        data: { tune: [generated] }
        """;

    private string Write(string name, string text) { File.WriteAllText(P(name), text); return P(name); }

    [Fact]
    public void Expansion_gives_stable_ids_and_every_configuration_once()
    {
        var spec = SweepSpec.Parse(Tiny, _dir);
        var a = SweepPlanner.TuneStage(spec, Presets.BuiltIn);
        var b = SweepPlanner.TuneStage(SweepSpec.Parse(Tiny.Replace("optimizer.muon_lr: [0.03, 0.1], optimizer.lr: [1e-3, 1e-2]", "optimizer.lr: [1e-3, 1e-2], optimizer.muon_lr: [0.03, 0.1]"), _dir), Presets.BuiltIn);
        Assert.Equal(3 + 4, a.Count);
        Assert.Equal(a.Select(r => r.Id).Order(), b.Select(r => r.Id).Order()); // axis order does not change a configuration's id
        Assert.Equal(a.Count, a.Select(r => r.Id).Distinct().Count());
        Assert.Equal([0.001, 0.00316228, 0.01], a.Where(r => r.Grid == "adam").Select(r => r.Spec.Optimizer.Lr!.Value).ToArray());
        Assert.All(a, r => Assert.Equal(r.Id, SweepPlanner.Id(RunSpecResolver.Resolve(r.Spec))));
    }

    [Theory]
    [InlineData(10, 1, 4, "; ≈ 30 s left")]
    [InlineData(90, 3, 10, "; ≈ 4 min left")]
    [InlineData(600, 10, 100, "; ≈ 1 h 30 min left")]
    [InlineData(600, 0, 100, "")]
    [InlineData(600, 100, 100, "")]
    public void Progress_lines_tell_the_time_left_at_the_sweeps_pace(double elapsedSeconds, int done, int total, string expected)
        => Assert.Equal(expected, LocalExecutor.Remaining(TimeSpan.FromSeconds(elapsedSeconds), done, total));

    [Fact]
    public void A_grid_with_models_applies_to_those_models_only()
    {
        // The edge extension of one architecture's search: every model gets the shared grids, only siren the extra one.
        const string edge = "\n  - name: muon-edge\n    models: [siren]\n    axes: { optimizer.name: [muon], optimizer.muon_lr: [0.3, 1.0], optimizer.lr: [1e-2] }\n";
        string yaml = Tiny.Replace("name: tiny\n", "name: tiny\nmodels: [relu-mlp, siren]\n")
            .Replace("optimizer.lr: [1e-3, 1e-2] }\n", "optimizer.lr: [1e-3, 1e-2] }" + edge);
        var runs = SweepPlanner.TuneStage(SweepSpec.Parse(yaml, _dir), Presets.BuiltIn);
        Assert.Equal(2 * (3 + 4) + 2, runs.Count);
        var extra = runs.Where(r => r.Grid == "muon-edge").ToList();
        Assert.Equal(2, extra.Count);
        Assert.All(extra, r => Assert.Equal("siren", r.Spec.Model.Name));
        Assert.Equal([0.3, 1.0], extra.Select(r => r.Spec.Optimizer.MuonLr!.Value).Order().ToArray());
    }

    [Theory]
    [InlineData("name: x\nbase: {task: image}\nmodels: [siren]\ngrids: [{name: e, models: [relu-mlp], axes: {optimizer.lr: [1e-3]}}]", "grids[0].models[0] is 'relu-mlp', not one of the sweep's models (siren)")]
    [InlineData("name: x\nbase: {task: image}\ngrids: [{name: e, models: [siren], axes: {optimizer.lr: [1e-3]}}]", "grids[0].models needs the sweep's models list")]
    [InlineData("name: x\nbase: {task: image}\nmodels: [siren]\ngrids: [{name: e, models: [], axes: {optimizer.lr: [1e-3]}}]", "grids[0].models is empty")]
    [InlineData("name: x\nbase: {task: image}\nfoo: 1", "Unknown field 'foo'")]
    [InlineData("name: x\nbase: {task: image}\naxes: {optimizer.lr: \"logspace(0, 1, 3)\"}", "logspace(a, b, n) needs a, b > 0")]
    [InlineData("name: x\nbase: {task: image}\naxes: {model.hidden: [8, 16], optimizer.lr: [1e-3]}\nmode: zip", "equal length")]
    [InlineData("name: x\nbase: {task: image}\ndata: {tune: [nope.png]}", "does not exist")]
    [InlineData("name: x\nbase: {task: image}\naxes: {model.hiden: [8]}", "model.hiden")]
    [InlineData("name: x\nbase: {task: image}\naxes: {optimizer.lr: [-1]}", "optimizer.lr must be a finite number > 0")]
    [InlineData("name: x\nbase: {task: image, seed: 3}", "base.seed")]
    [InlineData("name: x\nbase: [1]", "base must be a mapping")]
    [InlineData("name: x\nbase: {task: image\n", "not valid YAML")]
    public void Bad_specs_fail_with_one_line_naming_the_field(string yaml, string expected)
    {
        var (code, _, err) = Cli(["sweep", Write("bad.yaml", yaml), "--out", P("never"), "--dry-run"]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void A_stopped_sweep_resumes_running_only_the_missing_runs_and_reports()
    {
        string spec = Write("tiny.yaml", Tiny);
        string folder = P("sw");
        int Done() => Directory.Exists(Path.Combine(folder, "runs"))
            ? Directory.GetDirectories(Path.Combine(folder, "runs")).Count(d => File.Exists(Path.Combine(d, "summary.json")) && File.ReadAllText(Path.Combine(d, "summary.json")).Contains("\"completed\"")) : 0;
        var first = Cli(["sweep", spec, "--out", folder, "--jobs", "1"], stop: () => Done() >= 3);
        Assert.Equal(130, first.Code);
        int done = Done();
        Assert.InRange(done, 3, 6);
        var stamps = Directory.GetDirectories(Path.Combine(folder, "runs")).Where(d => File.Exists(Path.Combine(d, "summary.json")) && File.ReadAllText(Path.Combine(d, "summary.json")).Contains("\"completed\""))
            .ToDictionary(d => d, d => File.GetLastWriteTimeUtc(Path.Combine(d, "summary.json")));

        var second = Cli(["sweep", spec, "--out", folder, "--jobs", "2"]);
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains($"tune 7 runs ({7 - done} executed now)", second.Out);
        foreach (var (d, t) in stamps) Assert.Equal(t, File.GetLastWriteTimeUtc(Path.Combine(d, "summary.json"))); // finished runs untouched
        Assert.Equal(7, Done());
        var third = Cli(["sweep", spec, "--out", folder]);
        Assert.Contains("(0 executed now)", third.Out);

        string html = File.ReadAllText(Path.Combine(folder, "report.html"));
        Assert.Contains("class=\"cell\"", html);           // the Muon LR x aux LR heatmap
        Assert.Contains("auxiliary Adam LR", html);
        Assert.Contains("Selected configurations", html);
        var rep = Cli(["sweep", "report", folder, "--save-presets", P("tuned.json"), "--svg", P("charts")]);
        Assert.Equal(0, rep.Code);
        // Every chart of the report also as a standalone SVG (for docs and papers).
        Assert.True(File.Exists(P("charts/relu-mlp-muon-heatmap.svg")), string.Join(", ", Directory.GetFiles(P("charts"))));
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", File.ReadAllText(P("charts/relu-mlp-muon-heatmap.svg")));
        Assert.True(File.Exists(P("charts/relu-mlp-lr.svg")));
        var notFolder = Cli(["sweep", "report", folder, "--svg", P("tuned.json")]);
        Assert.Equal(2, notFolder.Code);
        Assert.Contains("--svg", notFolder.Err);
        var winnerMuon = JsonNode.Parse(File.ReadAllText(P("tuned.json")))!["image"]!["models"]!["relu-mlp"]!["muon_lr"]!.GetValue<double>();
        var resolved = RunSpecResolver.Resolve(new RunSpec { Task = "image", Data = "generated" }, Presets.WithFile(P("tuned.json")));
        Assert.Equal(winnerMuon, resolved.Optimizer.MuonLr);

        var csv = Cli(["runs", folder, "--csv", "--where", "optimizer = 'muon'"]);
        Assert.Equal(0, csv.Code);
        Assert.Equal(1 + 4, csv.Out.Trim().Split('\n').Length);
        File.Delete(Path.Combine(folder, "results.db"));
        Assert.Equal(0, Cli(["sweep", "index", folder]).Code);   // the index is rebuilt from the run directories
        Assert.Equal(1 + 7, Cli(["runs", folder, "--csv"]).Out.Trim().Split('\n').Length);
        Assert.Equal(2, Cli(["runs", folder, "--where", "nonsense ="]).Code);
    }

    [Fact]
    public void A_failing_run_is_recorded_retried_and_does_not_stop_the_sweep()
    {
        // downsample 32 on a 24-pixel image is refused when the run loads its data: a run-time failure.
        string spec = Write("fail.yaml", """
            name: fail
            base: { task: image, steps: 4, model: { name: relu-mlp, hidden: 8, layers: 3 }, optimizer: { name: adam }, options: { generated_width: 24 } }
            axes: { options.downsample: [1, 32] }
            retries: 1
            """);
        var (code, outText, err) = Cli(["sweep", spec, "--out", P("f"), "--jobs", "2"]);
        Assert.Equal(1, code);
        Assert.Contains("1 failed", outText);
        Assert.Contains("retry 1/1", err);
        var status = Cli(["sweep", "status", P("f")]);
        Assert.Contains("1 completed", status.Out);
        Assert.Contains("options.downsample 32 is larger than the image", status.Out);
        Assert.Contains("Failed runs", File.ReadAllText(Path.Combine(P("f"), "report.html")));
    }

    [Fact]
    public void Reading_commands_and_bad_options_create_nothing()
    {
        Directory.CreateDirectory(P("plain"));
        foreach (var args in new[] { new[] { "sweep", "status", P("plain") }, ["sweep", "report", P("plain")], ["sweep", "index", P("plain")], ["runs", P("plain")] })
        {
            var (code, _, err) = Cli(args);
            Assert.Equal(1, code);
            Assert.Contains("is not a sweep folder", err);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(P("plain")));
        Assert.False(Directory.Exists(P("ghost")));
        Assert.Equal(1, Cli(["sweep", "status", P("ghost")]).Code);
        Assert.False(Directory.Exists(P("ghost")));
        var bad = Cli(["sweep", Write("tiny.yaml", Tiny), "--out", P("bad-exec"), "--executor", "bogus"]);
        Assert.Equal(2, bad.Code);
        Assert.False(Directory.Exists(P("bad-exec")));
        var models = Cli(["compare", "image", "generated", "--models", "relu-mlp,nope", "--steps", "1", "--out", P("m")]);
        Assert.Equal(2, models.Code);
        Assert.StartsWith("error: --models: Unknown model 'nope'", models.Err);
    }

    [Fact]
    public void A_width_axis_gets_lr_curves_per_width_in_the_report()
    {
        // A hyperparameter-transfer sweep in miniature: Muon LR x width; the report draws one curve per width.
        const string yaml = """
            name: transfer
            base: { task: image, steps: 4, eval_every: 4, rank_every: 0, model: { layers: 3 }, options: { generated_width: 16 } }
            models: [relu-mlp]
            grids:
              - name: muon
                axes: { optimizer.name: [muon], model.hidden: [8, 16], optimizer.muon_lr: [0.01, 0.1] }
            seeds: [0]
            data: { tune: [generated] }
            """;
        var (code, _, err) = Cli(["sweep", Write("transfer.yaml", yaml), "--out", P("t"), "--jobs", "2"]);
        Assert.True(code == 0, err);
        string html = File.ReadAllText(P("t/report.html"));
        Assert.Contains("per setting of model.hidden", html);
        Assert.Contains("hidden=8", html);
        Assert.Contains("hidden=16", html);
    }

    [Fact]
    public void Selecting_by_the_training_loss_picks_the_lowest_final_loss()
    {
        const string yaml = """
            name: by-loss
            base: { task: image, steps: 6, eval_every: 6, rank_every: 0, model: { hidden: 8, layers: 3 }, options: { generated_width: 16 } }
            models: [relu-mlp]
            grids:
              - name: adam
                axes: { optimizer.name: [adam], optimizer.lr: [1e-4, 1e-2] }
            seeds: [0]
            data: { tune: [generated] }
            select: { metric: loss, direction: min }
            """;
        var (code, outText, err) = Cli(["sweep", Write("loss.yaml", yaml), "--out", P("l"), "--jobs", "2"]);
        Assert.True(code == 0, err);
        Assert.Contains("best relu-mlp + adam: lr 0.01: loss", outText);
        foreach (var dir in Directory.GetDirectories(P("l/runs")))
            Assert.NotNull(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["final_loss"]);
    }

    private const string Segments = """
        name: segments
        base: { task: audio, steps: 4, eval_every: 4, rank_every: 0, model: { name: siren, hidden: 16, layers: 3 }, options: { seconds: 0.5 } }
        grids:
          - name: adam
            axes: { optimizer.name: [adam], optimizer.lr: [1e-4, 1e-3] }
        seeds: [0]
        data:
          tune:
            - { file: generated, options: { start: 0, seconds: 0.25 } }
            - { file: generated, options: { start: 0.25, seconds: 0.25 } }
          evaluate:
            - { file: generated, options: { start: 0.5, seconds: 0.25 } }
            - generated
        select: { metric: snr }
        """;

    [Fact]
    public void Data_entries_with_options_are_signals_not_configurations()
    {
        // Two tune segments of one file: four runs, two configurations (the segment is not part of a
        // configuration, so selection averages over both); the evaluate stage replaces the winner's segment
        // options with the entry's, and an entry without them gets the base's values.
        var spec = SweepSpec.Parse(Segments, _dir);
        Assert.Equal(["start", "seconds"], spec.DataOptionKeys);
        var tune = SweepPlanner.TuneStage(spec, Presets.BuiltIn);
        Assert.Equal(4, tune.Count);
        Assert.Equal(4, tune.Select(r => r.Id).Distinct().Count());
        Assert.Equal(2, tune.Select(r => r.ConfigKey).Distinct().Count());
        Assert.Equal(["generated start=0 seconds=0.25", "generated start=0.25 seconds=0.25"], tune.Select(r => r.DataLabel).Distinct().Order().ToArray());
        Assert.Equal(0.25, tune.Single(r => r.Data == "generated start=0.25 seconds=0.25" && r.Spec.Optimizer.Lr == 1e-3).Spec.Options["start"].GetDouble());

        var eval = SweepPlanner.EvaluateStage(spec, [tune.First(r => r.Data == "generated start=0.25 seconds=0.25")], Presets.BuiltIn);
        Assert.Equal(2, eval.Count);
        Assert.Equal(0.5, eval[0].Spec.Options["start"].GetDouble());
        Assert.Equal(0.25, eval[0].Spec.Options["seconds"].GetDouble());
        Assert.Equal(0.0, eval[1].Spec.Options["start"].GetDouble());       // the preset's start (not the winner's 0.25)
        Assert.Equal(0.5, eval[1].Spec.Options["seconds"].GetDouble());     // the base's seconds
        Assert.Equal("generated", eval[1].DataLabel);
        Assert.Equal(tune.First(r => r.Data == "generated start=0.25 seconds=0.25").ConfigKey, eval[0].ConfigKey);

        var (code, outText, err) = Cli(["sweep", Write("segments.yaml", Segments), "--out", P("seg"), "--jobs", "2"]);
        Assert.True(code == 0, err);
        Assert.Contains("tune 4 runs", outText);
        Assert.Matches(@"\[1/4\] \w+ siren/adam completed; ≈ \d+ (s|min) left", err);   // progress (stderr) with the time left
        Assert.Matches(@"\[4/4\] \w+ siren/adam completed\r?\n", err);                     // none after the last
        string html = File.ReadAllText(P("seg/report.html"));
        Assert.Contains("generated start=0.5 seconds=0.25", html);     // evaluate rows are labelled by segment
        Assert.Contains("\"data\": \"generated start=0 seconds=0.25\"", File.ReadAllText(P("seg/plan.json")));
        // The results store keeps the segments apart too (runs lists them by data entry, not by file alone).
        var (runsCode, runsOut, runsErr) = Cli(["runs", P("seg"), "--where", "stage = 'evaluate'", "--csv"]);
        Assert.True(runsCode == 0, runsErr);
        Assert.Contains("generated start=0.5 seconds=0.25", runsOut);

        // Selecting by a metric the task does not report fails with one line instead of selecting nothing.
        var (badCode, _, badErr) = Cli(["sweep", Write("segments-psnr.yaml", Segments.Replace("metric: snr", "metric: psnr")), "--out", P("seg"), "--jobs", "2"]);
        Assert.Equal(2, badCode);
        Assert.Contains("select.metric 'psnr' is not a metric of these runs; they report snr", badErr);
        Assert.Single(badErr.Trim().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", badErr);
    }

    [Theory]
    [InlineData("data: {tune: [{file: generated, option: {start: 1}}]}", "Unknown field 'data.tune[0].option'")]
    [InlineData("data: {tune: [{options: {start: 1}}]}", "data.tune[0] needs file")]
    [InlineData("data: {tune: [{file: generated, options: [1]}]}", "data.tune[0].options must be a mapping")]
    [InlineData("data: {tune: [generated, generated]}", "lists 'generated' twice")]
    [InlineData("axes: {options.start: [0, 1]}\ndata: {tune: [{file: generated, options: {start: 1}}]}", "options.start is set by data entries")]
    public void Bad_data_entries_fail_with_one_line_naming_the_field(string tail, string expected)
    {
        var (code, _, err) = Cli(["sweep", Write("bad-data.yaml", "name: x\nbase: {task: audio}\n" + tail), "--out", P("never"), "--dry-run"]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [RequiresSharedDataFact]
    public void Every_committed_sweep_spec_parses_and_plans()
    {
        // The specs under examples/sweeps are documented experiment commands: each must load (its data
        // files exist beside the repository) and expand into resolved, validated runs.
        string dir = Path.Combine(MuonInr.Tests.Packaging.PackagingTests.RepoRoot(), "examples", "sweeps");
        var files = Directory.GetFiles(dir, "*.yaml");
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            var spec = SweepSpec.Load(f);
            var runs = SweepPlanner.TuneStage(spec, Presets.BuiltIn);
            Assert.True(runs.Count > 0, $"{Path.GetFileName(f)} plans no runs");
        }
    }

    [Fact]
    public void Dry_run_prints_the_plan_and_a_cost_estimate_and_writes_nothing()
    {
        var (code, outText, _) = Cli(["sweep", Write("tiny.yaml", Tiny), "--out", P("dry"), "--dry-run"]);
        Assert.Equal(0, code);
        Assert.Contains("7 tune runs", outText);
        Assert.Contains("estimated cost", outText);
        Assert.False(Directory.Exists(P("dry")));
    }
}
