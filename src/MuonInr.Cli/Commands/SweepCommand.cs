using System.CommandLine;
using System.Globalization;
using MuonInr.Experiments;
using MuonInr.Reports;
using MuonInr.Sweeps;

namespace MuonInr.Cli.Commands;

/// <summary>
/// <c>muoninr sweep SPEC</c> and its subcommands: run-one (one planned run; what executors launch),
/// status, index (rebuild results.db from the run directories), report (report.html, --save-presets).
/// </summary>
internal static class SweepCommand
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>The default number of concurrent runs of the local executor (see docs/sweeps.md for the measurement).</summary>
    public static int DefaultJobs => Math.Max(1, Environment.ProcessorCount);

    /// <summary>How to start this CLI in a child process.</summary>
    public static RunLauncher Launcher()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "MuonInr.Cli") return new RunLauncher(self, []);
        return RunLauncher.ForDll(typeof(CliApp).Assembly.Location);
    }

    public static Command Create(CliContext ctx)
    {
        var spec = new Argument<string>("SPEC") { Description = "Sweep spec (YAML or JSON; see examples/sweeps/)." };
        var outDir = new Option<string?>("--out") { Description = "Sweep folder (default sweeps/<name>); re-running into it skips finished runs." };
        var jobs = new Option<string?>("--jobs") { Description = $"Local executor: runs at once, each with MUONINR_THREADS = cores / jobs (default {DefaultJobs} here)." };
        var executor = new Option<string>("--executor") { Description = "local (this machine) or slurm (one job array + a gather job).", DefaultValueFactory = _ => "local" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and an estimated cost from a short timing probe; run nothing." };
        var presets = new Option<string?>("--presets") { Description = "A presets file laid over the built-in table." };
        var slurm = new SlurmOptions();
        var cmd = new Command("sweep", "Run a sweep: every configuration of a grid on the tune files, then the best per (model, optimizer) on the evaluate files.")
        {
            spec, outDir, jobs, executor, dryRun, presets,
        };
        foreach (var o in slurm.All) cmd.Add(o);
        cmd.SetAction(p =>
        {
            var s = TaskCommands.Guard(() => Load(p.GetValue(spec)!));
            var table = TaskCommands.Guard(() => p.GetValue(presets) is { } f ? Presets.WithFile(f) : Presets.BuiltIn);
            var plan = TaskCommands.Guard(() => SweepPlanner.TuneStage(s, table));
            string folderPath = p.GetValue(outDir) ?? Path.Combine("sweeps", s.Name);
            if (p.GetValue(dryRun)) return DryRun(ctx, s, plan, p.GetValue(jobs) is { } j ? CliValues.Int(j, "--jobs") : DefaultJobs);
            // Every option is checked before the folder is created.
            ISweepExecutor exec = p.GetValue(executor) switch
            {
                "local" => new LocalExecutor(Launcher(), p.GetValue(jobs) is { } j ? Positive(CliValues.Int(j, "--jobs"), "--jobs") : DefaultJobs),
                "slurm" => slurm.Build(p, Launcher(), ContinueArgs(p.GetValue(spec)!, p.GetValue(presets), Path.GetFullPath(folderPath), p)),
                var other => throw new CliException($"--executor must be local or slurm, got '{other}'.", CliApp.Usage),
            };
            var folder = SweepFolder.Create(folderPath);
            File.Copy(p.GetValue(spec)!, Path.Combine(folder.Path, "sweep" + Path.GetExtension(p.GetValue(spec)!)), overwrite: true);
            var outcome = TaskCommands.Guard(() => SweepRunner.RunAsync(s, folder, exec, table, ctx.ShouldStop, ctx.Error.WriteLine).GetAwaiter().GetResult());
            string report = SweepReport.Write(folder);
            if (outcome.Waiting) ctx.Out.WriteLine("waiting: runs were submitted and are not finished; the sweep continues when they are (muoninr sweep status).");
            // Under Slurm without --wait the runs were handed to the queue, not run: say so.
            string verb = outcome.Waiting ? "submitted now" : "executed now";
            ctx.Out.WriteLine($"sweep {s.Name}: tune {outcome.TuneRuns} runs ({outcome.TuneExecuted} {verb}), evaluate {outcome.EvaluateRuns} ({outcome.EvaluateExecuted} {verb}), {outcome.Failed} failed");
            foreach (var w in outcome.Winners)
                ctx.Out.WriteLine(string.Create(Ci, $"  best {w.Model} + {w.Optimizer}: lr {w.Representative.Spec.Optimizer.Lr:G3}{(w.Representative.Spec.Optimizer.MuonLr is { } m ? $", muon_lr {m:G3}" : "")}: {s.Metric} {w.Score:F3}"));
            ctx.Out.WriteLine($"report: {report}");
            if (exec is SlurmExecutor se && se.Submitted is { } job) ctx.Out.WriteLine($"submitted Slurm job {job}; follow it with: muoninr sweep status {folder.Path}");
            return outcome.Stopped ? StopSignal.ExitCode : outcome.Failed > 0 ? CliApp.Failure : CliApp.Ok;
        });
        cmd.Add(RunOne(ctx));
        cmd.Add(Status(ctx));
        cmd.Add(Index(ctx));
        cmd.Add(Report(ctx));
        return cmd;
    }

    /// <summary>
    /// The sweep command a Slurm gather job re-runs: absolute paths (it may start elsewhere) and the
    /// arguments as parsed, not the process's command line (CliApp.Run may run inside another program).
    /// </summary>
    private static List<string> ContinueArgs(string specFile, string? presetsFile, string folder, ParseResult p)
    {
        var args = new List<string> { "sweep", Path.GetFullPath(specFile), "--out", folder, "--executor", "slurm" };
        if (presetsFile is not null) args.AddRange(["--presets", Path.GetFullPath(presetsFile)]);
        if (p.GetValue(CliApp.Blas) is { } blas) args.AddRange(["--blas", blas]);
        return args;
    }

    private static int Positive(int v, string flag) => v >= 1 ? v : throw new CliException($"{flag} must be ≥ 1, got {v}.", CliApp.Usage);

    private static SweepSpec Load(string path)
    {
        try { return SweepSpec.Load(path); }
        catch (SweepSpecException e) { throw new CliException(e.Field.Length > 0 && !e.Message.Contains(e.Field, StringComparison.Ordinal) ? $"{e.Field}: {e.Message}" : e.Message, CliApp.Usage); }
    }

    private static int DryRun(CliContext ctx, SweepSpec s, IReadOnlyList<PlannedRun> plan, int jobs)
    {
        ctx.Out.WriteLine($"sweep {s.Name}: {plan.Count} tune runs; then the best per (model, optimizer) on {s.Evaluate.Count} evaluate file(s) x {s.Seeds.Count} seed(s)");
        foreach (var g in plan.GroupBy(r => (r.Spec.Model.Name, r.Spec.Optimizer.Name, r.Grid)))
            ctx.Out.WriteLine($"  {g.Key.Item1} + {g.Key.Item2} ({g.Key.Grid}): {g.Count()} runs");
        double total = 0;
        foreach (var g in plan.GroupBy(r => r.Spec.Model.Name))
        {
            // Timing probe: the first configuration of each model for a few steps, in this process, nothing written.
            var probeSpec = g.First().Spec with { Steps = 4, EvalEvery = 1000, RankEvery = 0, CheckpointEvery = 0 };
            using var probe = TaskCommands.Guard(() => Runs.Fit(probeSpec));
            double perStep = probe.Summary.SecondsPerStep;
            // Tune runs of this model, plus its winners (one per optimizer) on every evaluate file and seed.
            int evalRuns = g.Select(r => r.Spec.Optimizer.Name).Distinct().Count() * s.Evaluate.Count * s.Seeds.Count;
            double seconds = perStep * (g.Sum(r => (double)r.Spec.Steps!.Value) + evalRuns * (double)g.First().Spec.Steps!.Value);
            total += seconds;
            ctx.Out.WriteLine(string.Create(Ci, $"  probe {g.Key}: {perStep:F3} s/step at {MuonInr.Kernels.WorkerPool.Degree} threads; {g.Count()} tune + {evalRuns} evaluate runs ≈ {seconds / 3600:F2} h"));
        }
        ctx.Out.WriteLine(string.Create(Ci, $"estimated cost: about {total / 3600:F2} h of this machine at full width (the probe's speed; {jobs} job(s) at a time share it), excluding evaluation and rank diagnostics"));
        return CliApp.Ok;
    }

    private static Command RunOne(CliContext ctx)
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder." };
        var id = new Option<string>("--id") { Description = "Id of the planned run (plan.json).", Required = true };
        var cmd = new Command("run-one", "Run one planned run of a sweep folder (what executors launch); its directory and database row are its result.") { dir, id };
        cmd.SetAction(p =>
        {
            var folder = TaskCommands.Guard(() => SweepFolder.Open(p.GetValue(dir)!));
            var (runs, metric, _, _) = TaskCommands.Guard(() => folder.ReadPlan());
            string wanted = p.GetValue(id)!;
            var run = runs.FirstOrDefault(r => r.Id == wanted) ?? throw new CliException($"No run '{wanted}' in {folder.PlanFile}.", CliApp.Usage);
            if (folder.State(run) is { Final: true } done) { ctx.Out.WriteLine($"{run.Id}: already {done.Status}"); return CliApp.Ok; }
            int code;
            try
            {
                using var r = TaskCommands.Guard(() => Runs.Fit(run.Spec, new RunOptions { OutDir = folder.RunDir(run.Id), Overwrite = true, ShouldStop = ctx.ShouldStop }));
                code = TaskCommands.ExitCode(r.Summary);
                if (r.Summary.Status != "interrupted") folder.ClearFailure(run.Id);
                ctx.Out.WriteLine($"{run.Id}: {r.Summary.Status}");
            }
            finally
            {
                using var store = new ResultsStore(folder);
                store.Upsert(folder.State(run), metric, folder);
            }
            return code;
        });
        return cmd;
    }

    private static Command Status(CliContext ctx)
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder." };
        var cmd = new Command("status", "Progress of a sweep: runs per stage and status, failures, and the Slurm jobs if any.") { dir };
        cmd.SetAction(p =>
        {
            var folder = TaskCommands.Guard(() => SweepFolder.Open(p.GetValue(dir)!));
            var (runs, _, _, _) = TaskCommands.Guard(() => folder.ReadPlan());
            var states = runs.Select(folder.State).ToList();
            foreach (var g in states.GroupBy(s => s.Run.Stage))
                ctx.Out.WriteLine($"{g.Key}: {g.Count()} runs: " + string.Join(", ", g.GroupBy(s => s.Status).OrderBy(x => x.Key).Select(x => $"{x.Count()} {x.Key}")));
            foreach (var f in states.Where(s => s.Status == "failed")) ctx.Out.WriteLine($"  failed {f.Run.Id} ({f.Attempts} attempts): {f.Message}");
            foreach (var line in SlurmExecutor.QueueStatus(folder)) ctx.Out.WriteLine(line);
            return CliApp.Ok;
        });
        return cmd;
    }

    private static Command Index(CliContext ctx)
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder." };
        var cmd = new Command("index", "Rebuild results.db from the run directories (the source of truth).") { dir };
        cmd.SetAction(p =>
        {
            var folder = TaskCommands.Guard(() => SweepFolder.Open(p.GetValue(dir)!));
            using var store = new ResultsStore(folder);
            TaskCommands.Guard(() => { store.Rebuild(folder); return 0; });
            ctx.Out.WriteLine($"indexed {folder.ReadPlan().Runs.Count} runs into {folder.Database}");
            return CliApp.Ok;
        });
        return cmd;
    }

    private static Command Report(CliContext ctx)
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder." };
        var save = new Option<string?>("--save-presets") { Description = "Also write the winners' learning rates as a presets file (for --presets)." };
        var svg = new Option<string?>("--svg") { Description = "Also write every chart of the report as a standalone SVG into this folder (created if missing)." };
        var cmd = new Command("report", "Write the sweep's report.html (heatmaps, selected configurations, evaluation table).") { dir, save, svg };
        cmd.SetAction(p =>
        {
            var folder = TaskCommands.Guard(() => SweepFolder.Open(p.GetValue(dir)!));
            string? svgDir = p.GetValue(svg);
            if (svgDir is not null && File.Exists(svgDir))
                throw new CliException($"--svg '{svgDir}' is a file; give a folder for the charts (it is created if missing).", CliApp.Usage);
            string path = TaskCommands.Guard(() => SweepReport.Write(folder, svgDir));
            ctx.Out.WriteLine($"report: {path}");
            if (svgDir is not null) ctx.Out.WriteLine($"charts: {Path.GetFullPath(svgDir)}");
            if (p.GetValue(save) is { } file) { SweepReport.WritePresets(folder, file); ctx.Out.WriteLine($"presets: {Path.GetFullPath(file)}"); }
            return CliApp.Ok;
        });
        return cmd;
    }
}
