using System.CommandLine;
using System.Globalization;
using MuonInr.Experiments;
using MuonInr.IO;
using MuonInr.Reports;

namespace MuonInr.Cli.Commands;

/// <summary><c>muoninr fit image</c> and <c>muoninr compare image</c>.</summary>
internal static class ImageCommands
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public static Command Fit(TextWriter output, string task = "image")
    {
        var opts = new ImageRunOptions(task);
        var optimizer = new Option<string>("--optimizer") { Description = "adam, adamw, muon (Muon + auxiliary Adam), lion, sgd, lbfgs (strong-Wolfe, one iteration per step; --lr is its step, try 1).", DefaultValueFactory = _ => "muon" };
        var cmd = task switch
        {
            "ct" => new Command("ct", "Sparse-view CT: fit an INR to an image through the Radon transform of its sinogram (FBP as baseline)."),
            "sisr" => new Command("sisr", "x4 super-resolution: fit an INR on the high-resolution grid through the antialiased bicubic downsampler against the low-resolution image (bicubic upsampling as baseline)."),
            _ => new Command("image", "Fit an INR to a PNG image and write a run directory with a report."),
        };
        opts.AddTo(cmd);
        cmd.Add(optimizer);
        cmd.SetAction(p =>
        {
            var o = opts.Resolve(p, p.GetValue(optimizer)!);
            var dir = CreateDir(p.GetValue(opts.Out), $"{o.Model}-{o.Optimizer.Name}", p.GetValue(opts.Overwrite));
            var bar = ProgressBar.ForConsole($"{o.Model}/{o.Optimizer.Name}");
            string? resume = p.GetValue(opts.Resume);
            if (resume is not null && !Directory.Exists(resume)) throw new CliException($"Resume directory '{resume}' does not exist.");
            var result = Guard(() => ImageFitExperiment.Run(o, bar.Report, o.CheckpointEvery > 0 ? dir.Path : null, resume));
            ImageReports.WriteRun(dir, result);
            var s = result.Summary;
            output.WriteLine(string.Create(Ci, $"{s.Model} + {s.Optimizer}: PSNR {s.Psnr:F2} dB, SSIM ({s.SsimVariant}) {s.Ssim:F4}, {s.SecondsPerStep:F3} s/step, stable ranks {string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci)))}"));
            if (s.Baseline is not null) output.WriteLine(string.Create(Ci, $"{s.Baseline}: PSNR {s.BaselinePsnr:F2} dB, SSIM {s.BaselineSsim:F4}"));
            if (s.Stopped is not null) output.WriteLine("warning: " + s.Stopped);
            output.WriteLine($"report: {dir.File("report.html")}");
            return s.Stopped is null ? CliApp.Ok : CliApp.Failure;
        });
        return cmd;
    }

    public static Command Compare(TextWriter output, string task = "image")
    {
        var opts = new ImageRunOptions(task);
        var optimizers = new Option<string>("--optimizers") { Description = "Comma-separated optimizers to compare on the same model and seed.", DefaultValueFactory = _ => "adam,muon" };
        var grid = new Option<bool>("--lr-grid") { Description = "Try each optimizer at its learning rate ×⅓, ×1 and ×3 (Muon: its Muon LR) and keep every run in the report." };
        var cmd = new Command(task, task switch
        {
            "ct" => "Sparse-view CT with several optimizers: one side-by-side report with the FBP baseline.",
            "sisr" => "x4 super-resolution with several optimizers: one side-by-side report with the bicubic baseline.",
            _ => "Fit the same model with several optimizers and write one side-by-side report.",
        });
        opts.AddTo(cmd);
        cmd.Add(optimizers);
        cmd.Add(grid);
        cmd.SetAction(p =>
        {
            var names = p.GetValue(optimizers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) throw new CliException("--optimizers needs at least one name.", CliApp.Usage);
            var configs = names.Select(n => opts.Resolve(p, n)).ToList();
            if (p.GetValue(grid))
                configs = configs.SelectMany(o => new[] { 1.0 / 3, 1.0, 3.0 }.Select(f => o.Optimizer.Name == "muon"
                    ? o with { Optimizer = o.Optimizer with { MuonLearningRate = o.Optimizer.MuonLearningRate * f } }
                    : o with { Optimizer = o.Optimizer with { LearningRate = o.Optimizer.LearningRate * f } })).ToList();
            var dir = CreateDir(p.GetValue(opts.Out), $"{configs[0].Model}-compare", p.GetValue(opts.Overwrite));
            return RunComparison(output, dir, configs);
        });
        return cmd;
    }

    /// <summary>Runs each configuration, writes each run in a subdirectory plus the comparison, prints the table.</summary>
    public static int RunComparison(TextWriter output, RunDirectory dir, IReadOnlyList<ImageFitOptions> configs)
    {
        var runs = new List<(string, ImageFitResult)>();
        foreach (var o in configs)
        {
            string label = configs.Count(c => c.Optimizer.Name == o.Optimizer.Name) == 1 ? o.Optimizer.Name
                : string.Create(Ci, $"{o.Optimizer.Name}-lr{(o.Optimizer.Name == "muon" ? o.Optimizer.MuonLearningRate : o.Optimizer.LearningRate):G3}");
            var bar = ProgressBar.ForConsole($"{o.Model}/{label}");
            var r = Guard(() => ImageFitExperiment.Run(o, bar.Report));
            ImageReports.WriteRun(RunDirectory.Create(Path.Combine(dir.Path, label), overwrite: true), r);
            runs.Add((label, r));
        }
        ImageReports.WriteComparison(dir, runs);
        output.WriteLine();
        output.WriteLine($"{"optimizer",-10} {"PSNR dB",8} {"SSIM",7} {"s/step",7}  stable rank per Linear layer (input → output)");
        foreach (var (label, r) in runs)
        {
            var s = r.Summary;
            output.WriteLine(string.Create(Ci, $"{label,-10} {s.Psnr,8:F2} {s.Ssim,7:F3} {s.SecondsPerStep,7:F3}  {string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci)))}{(s.Stopped is null ? "" : "  (stopped early: non-finite loss)")}"));
        }
        if (runs[0].Item2.Summary.Baseline is { } baseline)
            output.WriteLine(string.Create(Ci, $"{"baseline",-10} {runs[0].Item2.Summary.BaselinePsnr,8:F2} {runs[0].Item2.Summary.BaselineSsim,7:F3}  ({baseline})"));
        output.WriteLine($"SSIM: {runs[0].Item2.Summary.SsimVariant}. Report: {dir.File("report.html")}");
        return runs.Any(r => r.Item2.Summary.Stopped is not null) ? CliApp.Failure : CliApp.Ok;
    }

    public static RunDirectory CreateDir(string? requested, string label, bool overwrite)
    {
        string path = requested ?? RunDirectory.DefaultPath("runs", label);
        try { return RunDirectory.Create(path, overwrite); }
        catch (IOException e) { throw new CliException(e.Message); }
    }

    /// <summary>Turns the expected failures of a run into one-line CLI errors.</summary>
    public static T Guard<T>(Func<T> run)
    {
        try { return run(); }
        catch (DataFormatException e) { throw new CliException(e.Message); }
        catch (FileNotFoundException e) { throw new CliException(e.Message); }
        catch (NotSupportedException e) { throw new CliException(e.Message, CliApp.Usage); }
        catch (ArgumentException e) { throw new CliException(e.Message, CliApp.Usage); }
    }
}
