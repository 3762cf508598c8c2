using System.CommandLine;
using System.Globalization;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Reports;

namespace MuonInr.Cli.Commands;

/// <summary><c>muoninr fit audio</c> and <c>muoninr compare audio</c>, with the paper's audio defaults.</summary>
internal static class AudioCommands
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    private sealed class Options
    {
        public readonly Argument<string> Path = new("PATH") { Description = "WAV file to fit (PCM or float, any channels; 'generated' for the built-in test signal)." };
        public readonly Option<double> Start = new("--start") { Description = "Start of the segment to fit, in seconds.", DefaultValueFactory = _ => 0.0 };
        public readonly Option<double?> Seconds = new("--seconds") { Description = "Length of the segment in seconds (default: to the end). The segment keeps the time coordinates it has in the whole clip." };
        public readonly Option<double?> TimeScale = new("--time-scale") { Description = "s of the time coordinates linspace(−s, s) over the whole clip (default 100 for sine-based models, 1 otherwise)." };
        public readonly Option<string> Model = new("--model") { Description = "Architecture: " + string.Join(", ", FieldPresets.All.Select(a => a.Name + (a.Available ? "" : " (not yet)"))), DefaultValueFactory = _ => "siren" };
        public readonly Option<double> Lr = new("--lr") { Description = "Adam learning rate, or Muon's auxiliary Adam (paper audio default 1e-4).", DefaultValueFactory = _ => 1e-4 };
        public readonly Option<double> MuonLr = new("--muon-lr") { Description = "Muon learning rate for hidden matrices (paper audio default 1e-3).", DefaultValueFactory = _ => 1e-3 };
        public readonly Option<string> Omega = new("--omega") { Description = "ω of siren/finer/wire: one value or one per activated layer (paper audio default 30).", DefaultValueFactory = _ => "30" };
        public readonly Option<string> GaussA = new("--gauss-a") { Description = "a of the Gaussian activation (paper audio default 0.05).", DefaultValueFactory = _ => "0.05" };
        public readonly Option<string> WaveletSigma = new("--wavelet-sigma") { Description = "σ of the Gabor wavelet (paper audio default 10).", DefaultValueFactory = _ => "10" };
        public readonly Option<int> Mapping = new("--mapping") { Description = "Fourier-feature frequencies.", DefaultValueFactory = _ => 128 };
        public readonly Option<double> FfSigma = new("--ff-sigma") { Description = "σ of the Fourier-feature matrix B.", DefaultValueFactory = _ => 10.0 };
        public readonly Option<int> Steps = new("--steps") { Description = "Training steps (paper 5000; CPU protocol 1000).", DefaultValueFactory = _ => 1000 };
        public readonly Option<int> Hidden = new("--hidden") { Description = "Hidden width (paper audio default 256).", DefaultValueFactory = _ => 256 };
        public readonly Option<int> Layers = new("--layers") { Description = "Number of Linear layers (paper audio default 5).", DefaultValueFactory = _ => 5 };
        public readonly Option<double?> Inpaint = new("--inpaint") { Description = "Train on this fraction of the samples (seeded) and report SNR on the held-out ones." };
        public readonly Option<ulong> Seed = new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0UL };
        public readonly Option<int> Chunk = new("--chunk") { Description = "Rows per gradient chunk (0 = all samples at once); bounds memory on long clips.", DefaultValueFactory = _ => 0 };
        public readonly Option<int> EvalEvery = new("--eval-every") { Description = "Evaluate SNR every N steps.", DefaultValueFactory = _ => 50 };
        public readonly Option<int> RankEvery = new("--rank-every") { Description = "Record stable ranks every N steps.", DefaultValueFactory = _ => 50 };
        public readonly Option<string> Schedule = new("--schedule") { Description = "Learning-rate schedule: cosine (to 1e-6) or constant.", DefaultValueFactory = _ => "cosine" };
        public readonly Option<string> Orthogonalizer = new("--orthogonalizer") { Description = "Muon orthogonalizer: ns5, polar-express or svd.", DefaultValueFactory = _ => "ns5" };
        public readonly Option<int> NsSteps = new("--ns-steps") { Description = "Newton–Schulz iterations of Muon.", DefaultValueFactory = _ => 5 };
        public readonly Option<string?> Out = new("--out") { Description = "Run directory (default runs/<time>-<model>-<optimizer>); never overwritten unless --overwrite." };
        public readonly Option<bool> Overwrite = new("--overwrite") { Description = "Allow writing into an existing non-empty run directory." };
        public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Save model + optimizer state every N steps and at the end (0 = never).", DefaultValueFactory = _ => 0 };
        public readonly Option<string?> Resume = new("--resume") { Description = "Continue from the checkpoint in this run directory." };

        public void AddTo(Command cmd, bool single)
        {
            cmd.Add(Path);
            foreach (var o in new Option[] { Start, Seconds, TimeScale, Model, Lr, MuonLr, Omega, GaussA, WaveletSigma, Mapping, FfSigma, Steps, Hidden, Layers, Inpaint, Seed, Chunk, EvalEvery, RankEvery, Schedule, Orthogonalizer, NsSteps, Out, Overwrite })
                cmd.Add(o);
            if (single) { cmd.Add(CheckpointEvery); cmd.Add(Resume); }
        }

        private static double[] List(string text, string option)
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var values = new double[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!double.TryParse(parts[i], NumberStyles.Float, Ci, out values[i]) || !(values[i] > 0))
                    throw new CliException($"{option} takes positive numbers separated by commas, got '{text}'.", CliApp.Usage);
            return values.Length > 0 ? values : throw new CliException($"{option} needs at least one value.", CliApp.Usage);
        }

        public AudioFitOptions Resolve(ParseResult p, string optimizer)
        {
            string path = p.GetValue(Path)!;
            string? audio = path == "generated" ? null : path;
            if (audio is not null && !File.Exists(audio)) throw new CliException($"Audio file '{audio}' does not exist.");
            if (!OptimizerFactory.Names.Contains(optimizer)) throw new CliException($"Unknown optimizer '{optimizer}'; expected one of {string.Join(", ", OptimizerFactory.Names)}.", CliApp.Usage);
            double lr = p.GetValue(Lr), muonLr = p.GetValue(MuonLr);
            if (!(lr >= 0) || !(muonLr >= 0)) throw new CliException($"Learning rates must be ≥ 0, got --lr {lr}, --muon-lr {muonLr}.", CliApp.Usage);
            if (p.GetValue(Steps) < 0) throw new CliException($"--steps must be ≥ 0, got {p.GetValue(Steps)}.", CliApp.Usage);
            if (!(p.GetValue(Start) >= 0)) throw new CliException($"--start must be ≥ 0, got {p.GetValue(Start)}.", CliApp.Usage);
            if (p.GetValue(Seconds) is { } d && !(d > 0)) throw new CliException($"--seconds must be > 0, got {d}.", CliApp.Usage);
            if (p.GetValue(TimeScale) is { } ts && !(ts > 0)) throw new CliException($"--time-scale must be > 0, got {ts}.", CliApp.Usage);
            if (p.GetValue(Inpaint) is { } f && !(f > 0 && f <= 1)) throw new CliException($"--inpaint must be in (0, 1], got {f}.", CliApp.Usage);
            if (p.GetValue(EvalEvery) <= 0 || p.GetValue(RankEvery) < 0) throw new CliException("--eval-every must be > 0 and --rank-every ≥ 0.", CliApp.Usage);
            if (p.GetValue(Chunk) < 0) throw new CliException($"--chunk must be ≥ 0, got {p.GetValue(Chunk)}.", CliApp.Usage);
            if (p.GetValue(CheckpointEvery) < 0) throw new CliException("--checkpoint-every must be ≥ 0.", CliApp.Usage);
            return new AudioFitOptions
            {
                AudioPath = audio,
                StartSeconds = p.GetValue(Start),
                Seconds = p.GetValue(Seconds),
                TimeScale = p.GetValue(TimeScale),
                Model = p.GetValue(Model)!,
                Field = new FieldOptions
                {
                    Hidden = p.GetValue(Hidden), Layers = p.GetValue(Layers), Mapping = p.GetValue(Mapping), FourierSigma = p.GetValue(FfSigma),
                    Omega = List(p.GetValue(Omega)!, "--omega"), GaussianA = List(p.GetValue(GaussA)!, "--gauss-a"), WaveletSigma = List(p.GetValue(WaveletSigma)!, "--wavelet-sigma"),
                },
                Optimizer = new OptimizerOptions
                {
                    Name = optimizer, LearningRate = lr, MuonLearningRate = muonLr, Schedule = p.GetValue(Schedule)!,
                    Orthogonalizer = p.GetValue(Orthogonalizer)!, NsSteps = p.GetValue(NsSteps),
                },
                Steps = p.GetValue(Steps),
                InpaintFraction = p.GetValue(Inpaint),
                Seed = p.GetValue(Seed),
                Chunk = p.GetValue(Chunk),
                EvalEvery = p.GetValue(EvalEvery),
                RankEvery = p.GetValue(RankEvery),
                CheckpointEvery = p.GetValue(CheckpointEvery),
            };
        }
    }

    public static Command Fit(TextWriter output)
    {
        var opts = new Options();
        var optimizer = new Option<string>("--optimizer") { Description = "adam, adamw, muon (Muon + auxiliary Adam), lion, sgd, lbfgs.", DefaultValueFactory = _ => "muon" };
        var cmd = new Command("audio", "Fit an INR to a sound clip (t ↦ samples) and write a run directory with the reconstruction as WAV and a report.");
        opts.AddTo(cmd, single: true);
        cmd.Add(optimizer);
        cmd.SetAction(p =>
        {
            var o = opts.Resolve(p, p.GetValue(optimizer)!);
            var dir = ImageCommands.CreateDir(p.GetValue(opts.Out), $"{o.Model}-{o.Optimizer.Name}", p.GetValue(opts.Overwrite));
            string? resume = p.GetValue(opts.Resume);
            if (resume is not null && !Directory.Exists(resume)) throw new CliException($"Resume directory '{resume}' does not exist.");
            var bar = ProgressBar.ForConsole($"{o.Model}/{o.Optimizer.Name}", "snr");
            var result = ImageCommands.Guard(() => AudioFitExperiment.Run(o, bar.Report, o.CheckpointEvery > 0 ? dir.Path : null, resume));
            AudioReports.WriteRun(dir, result);
            var s = result.Summary;
            output.WriteLine(string.Create(Ci, $"{s.Model} + {s.Optimizer}: SNR {s.Snr:F2} dB, SI-SNR {s.SiSnr:F2} dB, {s.SecondsPerStep:F3} s/step, stable ranks {string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci)))}"));
            if (s.Stopped is not null) output.WriteLine("warning: " + s.Stopped);
            output.WriteLine($"report: {dir.File("report.html")}");
            return s.Stopped is null ? CliApp.Ok : CliApp.Failure;
        });
        return cmd;
    }

    public static Command Compare(TextWriter output)
    {
        var opts = new Options();
        var optimizers = new Option<string>("--optimizers") { Description = "Comma-separated optimizers to compare on the same model and seed.", DefaultValueFactory = _ => "adam,muon" };
        var cmd = new Command("audio", "Fit the same model to a sound clip with several optimizers and write one side-by-side report.");
        opts.AddTo(cmd, single: false);
        cmd.Add(optimizers);
        cmd.SetAction(p =>
        {
            var names = p.GetValue(optimizers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) throw new CliException("--optimizers needs at least one name.", CliApp.Usage);
            var configs = names.Select(n => opts.Resolve(p, n)).ToList();
            var dir = ImageCommands.CreateDir(p.GetValue(opts.Out), $"{configs[0].Model}-compare", p.GetValue(opts.Overwrite));
            var runs = new List<(string, AudioFitResult)>();
            foreach (var o in configs)
            {
                string label = o.Optimizer.Name;
                var bar = ProgressBar.ForConsole($"{o.Model}/{label}", "snr");
                var r = ImageCommands.Guard(() => AudioFitExperiment.Run(o, bar.Report));
                AudioReports.WriteRun(RunDirectory.Create(Path.Combine(dir.Path, label), overwrite: true), r);
                runs.Add((label, r));
            }
            AudioReports.WriteComparison(dir, runs);
            output.WriteLine();
            output.WriteLine($"{"optimizer",-10} {"SNR dB",8} {"SI-SNR",8} {"s/step",7}  stable rank per Linear layer (input → output)");
            foreach (var (label, r) in runs)
            {
                var s = r.Summary;
                output.WriteLine(string.Create(Ci, $"{label,-10} {s.Snr,8:F2} {s.SiSnr,8:F2} {s.SecondsPerStep,7:F3}  {string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", Ci)))}{(s.Stopped is null ? "" : "  (stopped early: non-finite loss)")}"));
            }
            output.WriteLine($"Report: {dir.File("report.html")}");
            return runs.Any(r => r.Item2.Summary.Stopped is not null) ? CliApp.Failure : CliApp.Ok;
        });
        return cmd;
    }
}
