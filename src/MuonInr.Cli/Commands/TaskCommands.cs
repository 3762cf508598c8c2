using System.CommandLine;
using System.Globalization;
using MuonInr.Experiments;
using MuonInr.IO;
using MuonInr.Optim;
using MuonInr.Reports;
using MuonInr.Tasks;

namespace MuonInr.Cli.Commands;

/// <summary><c>fit TASK</c> and <c>compare TASK</c> for every registered task, and the shared run plumbing of the CLI.</summary>
internal static class TaskCommands
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public static Command Fit(IFitTask task, CliContext ctx)
    {
        var opts = new RunSpecOptions(task);
        var optimizer = new Option<string>("--optimizer") { Description = $"{string.Join(", ", OptimizerFactory.Names)} (muon = Muon + auxiliary Adam; default: presets)." };
        var resume = new Option<string?>("--resume") { Description = "Continue from the checkpoint in this run directory (same settings; only --steps and the intervals may change)." };
        var cmd = new Command(task.Name, task.Description);
        opts.AddTo(cmd);
        cmd.Add(optimizer);
        cmd.Add(resume);
        cmd.SetAction(p =>
        {
            var presets = Guard(() => opts.LoadPresets(p));
            var spec = Resolve(opts.Build(p, p.GetValue(optimizer), null), presets);
            string? from = p.GetValue(resume);
            if (from is not null)
            {
                if (File.Exists(from)) throw new CliException($"--resume takes a run directory, but '{from}' is a file.", CliApp.Usage);
                if (!Directory.Exists(from)) throw new CliException($"Resume directory '{from}' does not exist.");
            }
            string label = $"{spec.Model.Name}-{spec.Optimizer.Name}";
            string outDir = p.GetValue(opts.Out) ?? RunDirectory.DefaultPath("runs", label);
            return RunOne(ctx, spec, outDir, p.GetValue(opts.Overwrite), from, label);
        });
        return cmd;
    }

    /// <summary>Runs one resolved spec into <paramref name="outDir"/>, prints the result line, returns the exit code.</summary>
    public static int RunOne(CliContext ctx, RunSpec spec, string outDir, bool overwrite, string? resume, string label)
    {
        var bar = ctx.Progress(label, spec);
        using var result = Guard(() => Runs.Fit(spec, new RunOptions { OutDir = outDir, Overwrite = overwrite, Progress = bar, ShouldStop = ctx.ShouldStop, ResumeFrom = resume }));
        var s = result.Summary;
        ctx.Out.WriteLine($"{s.Model} + {s.Optimizer}: {string.Join(", ", s.Metrics.Select(m => $"{m.Key.ToUpperInvariant().Replace('_', '-')} {RunReport.Format(m.Value)}"))}, {s.SecondsPerStep.ToString("F3", Ci)} s/step, stable ranks {string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci)))}");
        if (s.Baseline is { } b) ctx.Out.WriteLine($"{b.Name}: {string.Join(", ", b.Metrics.Select(m => $"{m.Key.ToUpperInvariant()} {RunReport.Format(m.Value)}"))}");
        if (s.Stopped is not null) ctx.Out.WriteLine("warning: " + s.Stopped);
        ctx.Out.WriteLine($"report: {Path.Combine(Path.GetFullPath(outDir), "report.html")}");
        return ExitCode(s);
    }

    public static int ExitCode(RunSummary s) => s.Status switch
    {
        "completed" => CliApp.Ok,
        "interrupted" => StopSignal.ExitCode,
        _ => CliApp.Failure,
    };

    public static Command Compare(IFitTask task, CliContext ctx)
    {
        var opts = new RunSpecOptions(task);
        var optimizers = new Option<string>("--optimizers") { Description = "Comma-separated optimizers to compare on the same data, model and seed.", DefaultValueFactory = _ => "adam,muon" };
        var models = new Option<string?>("--models") { Description = "Comma-separated architectures to compare (each with every optimizer); default: --model or the task's." };
        var grid = new Option<bool>("--lr-grid") { Description = "Also run each optimizer at ×⅓ and ×3 of its learning rate (Muon: of its Muon LR)." };
        var cmd = new Command(task.Name, $"Compare optimizers (and architectures) on one {task.Name} signal: one side-by-side report.");
        opts.AddTo(cmd);
        cmd.Add(optimizers);
        cmd.Add(models);
        cmd.Add(grid);
        cmd.SetAction(p =>
        {
            var presets = Guard(() => opts.LoadPresets(p));
            var optNames = Split(p.GetValue(optimizers)!, "--optimizers");
            string?[] modelNames = p.GetValue(models) is { } m ? Split(m, "--models") : new string?[] { null };
            if (p.GetValue(models) is not null && p.GetValue(opts.Model) is not null)
                throw new CliException("Give --model or --models, not both.", CliApp.Usage);
            if (modelNames.FirstOrDefault(m => m is not null && !Fields.Architectures.Exists(m)) is { } unknown)
                throw new CliException($"--models: {Fields.Architectures.UnknownModel(unknown).Message}", CliApp.Usage);
            // Muon-only flags set the Muon runs of a comparison and leave the others alone (compare adam,muon
            // --muon-lr 0.1); they are an error only when no compared optimizer uses them.
            bool anyMuon = optNames.Any(o => MuonInr.Optim.MuonRule.IsMuonFamily(o));
            foreach (var flag in new[] { opts.MuonLr, opts.Orthogonalizer, opts.NsSteps })
                if (!anyMuon && p.GetValue(flag) is not null)
                    throw new CliException($"{flag.Name} applies only to muon and its variants, and --optimizers has none of them.", CliApp.Usage);
            var specs = new List<(string Label, RunSpec Spec)>();
            foreach (var model in modelNames)
                foreach (var o in optNames)
                {
                    var built = opts.Build(p, o, model);
                    if (!MuonInr.Optim.MuonRule.IsMuonFamily(o))
                        built = built with { Optimizer = built.Optimizer with { MuonLr = null, Orthogonalizer = null, NsSteps = null } };
                    var spec = Resolve(built, presets);
                    string baseLabel = modelNames.Length > 1 ? $"{spec.Model.Name}-{o}" : o;
                    if (!p.GetValue(grid)) { specs.Add((baseLabel, spec)); continue; }
                    foreach (double f in new[] { 1.0 / 3, 1.0, 3.0 })
                    {
                        bool muon = MuonInr.Optim.MuonRule.IsMuonFamily(o);
                        var scaled = muon
                            ? spec with { Optimizer = spec.Optimizer with { MuonLr = spec.Optimizer.MuonLr * f } }
                            : spec with { Optimizer = spec.Optimizer with { Lr = spec.Optimizer.Lr * f } };
                        double lr = muon ? scaled.Optimizer.MuonLr!.Value : scaled.Optimizer.Lr!.Value;
                        specs.Add((string.Create(Ci, $"{baseLabel}-lr{lr:G3}"), scaled));
                    }
                }
            var dup = specs.GroupBy(s => s.Label).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw new CliException($"'{dup.Key}' is listed twice; each run of a comparison needs its own name.", CliApp.Usage);
            string outDir = p.GetValue(opts.Out) ?? RunDirectory.DefaultPath("runs", $"{specs[0].Spec.Model.Name}-compare");
            return RunComparison(ctx, specs, outDir, p.GetValue(opts.Overwrite));
        });
        return cmd;
    }

    private static string[] Split(string text, string flag)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return names.Length > 0 ? names : throw new CliException($"{flag} needs at least one name.", CliApp.Usage);
    }

    /// <summary>Runs a comparison and prints its table.</summary>
    public static int RunComparison(CliContext ctx, IReadOnlyList<(string Label, RunSpec Spec)> specs, string outDir, bool overwrite)
    {
        var runs = Guard(() => Runs.Compare(specs, outDir, overwrite, label => ctx.Progress(label, specs.First(s => s.Label == label).Spec), ctx.ShouldStop));
        try
        {
            var metricNames = runs[0].Result.Summary.Metrics.Keys.ToList();
            int w = Math.Max(10, runs.Max(r => r.Label.Length));
            ctx.Out.WriteLine();
            ctx.Out.WriteLine($"{"run".PadRight(w)} {string.Join(" ", metricNames.Select(n => n.ToUpperInvariant().Replace('_', '-').PadLeft(8)))} {"s/step",7}  stable rank per weight matrix (input → output)");
            foreach (var (label, r) in runs)
            {
                var s = r.Summary;
                string metrics = string.Join(" ", metricNames.Select(n => (s.Metric(n) is { } v ? RunReport.Number(v, s.Metrics[n].Unit) : "n/a").PadLeft(8)));
                ctx.Out.WriteLine($"{label.PadRight(w)} {metrics} {s.SecondsPerStep.ToString("F3", Ci),7}  {string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci)))}{(s.Status == "completed" ? "" : $"  ({s.Status})")}");
            }
            if (runs[0].Result.Summary.Baseline is { } b)
                ctx.Out.WriteLine($"{"baseline".PadRight(w)} {string.Join(" ", metricNames.Select(n => (b.Metrics.TryGetValue(n, out var v) && v.Value is { } x ? RunReport.Number(x, v.Unit) : "-").PadLeft(8)))}  ({b.Name})");
            foreach (var (name, m) in runs[0].Result.Summary.Metrics) ctx.Out.WriteLine($"{name}: {m.Convention}");
            ctx.Out.WriteLine($"Report: {Path.Combine(Path.GetFullPath(outDir), "report.html")}");
            if (runs.Count < specs.Count) { ctx.Out.WriteLine($"warning: interrupted after {runs.Count} of {specs.Count} runs."); return StopSignal.ExitCode; }
            return runs.Select(r => ExitCode(r.Result.Summary)).Max();
        }
        finally { foreach (var (_, r) in runs) r.Dispose(); }
    }

    /// <summary>Resolves a spec, turning a bad field into a usage error naming the flag.</summary>
    public static RunSpec Resolve(RunSpec spec, Experiments.Presets presets)
    {
        try { return RunSpecResolver.Resolve(spec, presets); }
        catch (RunSpecException e) { throw new CliException(WithFlag(e), CliApp.Usage); }
    }

    private static string WithFlag(RunSpecException e)
    {
        string flag = RunSpecOptions.FlagOf(e.Field);
        return flag.Length > 0 && !e.Message.StartsWith(flag, StringComparison.Ordinal) ? $"{flag}: {e.Message}" : e.Message;
    }

    /// <summary>Turns the expected failures of a run into one-line CLI errors with the right exit code.</summary>
    public static T Guard<T>(Func<T> run)
    {
        try { return run(); }
        catch (RunSpecException e) { throw new CliException(WithFlag(e), CliApp.Usage); }
        catch (DataFormatException e) { throw new CliException(e.Message); }
        catch (FileNotFoundException e) { throw new CliException(e.Message); }
        catch (InvalidDataException e) { throw new CliException(e.Message); }
        catch (InsufficientMemoryException e) { throw new CliException(e.Message); }
        catch (OperationCanceledException e) { throw new CliException(e.Message, StopSignal.ExitCode); }
        catch (NotSupportedException e) { throw new CliException(e.Message, CliApp.Usage); }
        catch (ArgumentException e) { throw new CliException(e.Message, CliApp.Usage); }
    }
}

/// <summary>What every command of one CLI invocation shares: its writers and the stop request.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, Func<bool> shouldStop, bool quiet)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;
    public Func<bool> ShouldStop { get; } = shouldStop;

    /// <summary>A progress bar for one run (none when quiet).</summary>
    public Action<TrainingProgress>? Progress(string label, RunSpec spec)
        => quiet ? null : new ProgressBar(Error, $"{spec.Model.Name}/{label}", !Console.IsErrorRedirected && ReferenceEquals(Error, Console.Error)).Report;
}
