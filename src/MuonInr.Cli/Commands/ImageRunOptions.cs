using System.CommandLine;
using System.Globalization;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Metrics;

namespace MuonInr.Cli.Commands;

/// <summary>The options shared by <c>fit image</c> and <c>compare image</c>, and their translation to <see cref="ImageFitOptions"/>.</summary>
internal sealed class ImageRunOptions
{
    private readonly string _task;

    /// <summary>Options for <paramref name="task"/> ("image", "ct" or "sisr"), with that task's paper defaults.</summary>
    public ImageRunOptions(string task = "image")
    {
        _task = task;
        bool ct = task == "ct", sisr = task == "sisr";
        Model.DefaultValueFactory = _ => ct || sisr ? "relu-ffn" : "relu-mlp";
        Lr.DefaultValueFactory = _ => ct || sisr ? 1e-2 : 1e-3;
        Steps.DefaultValueFactory = _ => ct ? 500 : sisr ? 500 : 1000;
        Schedule.DefaultValueFactory = _ => ct ? "constant" : "cosine";
        if (ct)
        {
            Lr.Description = "Adam learning rate, or Muon's auxiliary Adam (paper CT default 1e-2).";
            MuonLr.Description = "Muon learning rate (paper CT default 5e-2).";
            Steps.Description = "Training steps (paper 5000; CPU protocol 500).";
        }
        if (sisr)
        {
            Lr.Description = "Adam learning rate, or Muon's auxiliary Adam (paper SISR default 1e-2).";
            MuonLr.Description = "Muon learning rate (paper SISR default 0.1).";
            Steps.Description = "Training steps (paper 2000; CPU protocol 500).";
            Path.Description = "High-resolution PNG; the low-resolution target is its x4 antialiased bicubic downsampling ('generated' for the built-in test image).";
        }
    }

    public readonly Option<int> Projections = new("--projections") { Description = "CT: projections evenly over [0°, 180°] (both ends, as the paper's code).", DefaultValueFactory = _ => 100 };
    public readonly Option<double?> NoiseTau = new("--noise-tau") { Description = "CT: add Poisson photon noise with this many photons per unit of sinogram (paper code 30) plus readout noise; default: noise-free." };
    public readonly Option<double> NoiseReadout = new("--noise-readout") { Description = "CT: readout noise σ in photons, with --noise-tau (paper code 2).", DefaultValueFactory = _ => 2.0 };
    public readonly Option<int> Scale = new("--scale") { Description = "SISR: downsampling factor of the low-resolution target (paper 4).", DefaultValueFactory = _ => 4 };
    public readonly Argument<string> Path = new("PATH") { Description = "PNG image to fit ('generated' for the built-in high-frequency test image)." };
    public readonly Option<string> Model = new("--model") { Description = "Architecture: " + string.Join(", ", FieldPresets.All.Select(a => a.Name + (a.Available ? "" : " (not yet)"))), DefaultValueFactory = _ => "relu-mlp" };
    public readonly Option<double> Lr = new("--lr") { Description = "Adam learning rate, or Muon's auxiliary Adam (paper image default 1e-3).", DefaultValueFactory = _ => 1e-3 };
    public readonly Option<double?> MuonLr = new("--muon-lr") { Description = "Muon learning rate for hidden matrices (default per architecture, tuned on kodim01: 0.1 for ReLU nets, the paper's image value; 0.01 Gaussian and WIRE; 0.003 SIREN; 0.001 FINER)." };
    public readonly Option<string?> Omega = new("--omega") { Description = "ω of siren/finer/wire-real: one value or one per activated layer, comma-separated (default 40; WIRE 20)." };
    public readonly Option<string?> GaussA = new("--gauss-a") { Description = "a of the Gaussian activation, one or per layer (default 0.0236)." };
    public readonly Option<string?> WaveletSigma = new("--wavelet-sigma") { Description = "σ of the Gabor wavelet, one or per layer (default 10)." };
    public readonly Option<int?> Mapping = new("--mapping") { Description = "Fourier-feature frequencies (default 128)." };
    public readonly Option<double?> FfSigma = new("--ff-sigma") { Description = "σ of the Fourier-feature matrix B (default 10)." };
    public readonly Option<int?> PeLevels = new("--pe-levels") { Description = "Positional-encoding frequency bands L/2 (default mapping/2 = 64, as the paper's code)." };
    public readonly Option<bool> FinerBias = new("--finer-bias") { Description = "FINER: draw the first-layer bias from U(±1/√2) (the paper's optional init; off by default)." };
    public readonly Option<int> Steps = new("--steps") { Description = "Training steps (paper 5000; CPU protocols 1000).", DefaultValueFactory = _ => 1000 };
    public readonly Option<int?> Hidden = new("--hidden") { Description = "Hidden width (paper image default 300)." };
    public readonly Option<int?> Layers = new("--layers") { Description = "Number of Linear layers (paper image default 5)." };
    public readonly Option<int> Downsample = new("--downsample") { Description = "Integer box-downsampling factor applied to the image first.", DefaultValueFactory = _ => 1 };
    public readonly Option<string?> Crop = new("--crop") { Description = "Centre crop HEIGHTxWIDTH after downsampling, e.g. 128x192." };
    public readonly Option<bool> Gray = new("--gray") { Description = "Fit the luma channel only." };
    public readonly Option<double?> Inpaint = new("--inpaint") { Description = "Train on this fraction of the pixels (seeded) and report PSNR on the held-out ones." };
    public readonly Option<ulong> Seed = new("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0UL };
    public readonly Option<int> Chunk = new("--chunk") { Description = "Rows per gradient chunk (0 = whole image); bounds memory on large images.", DefaultValueFactory = _ => 0 };
    public readonly Option<int> EvalEvery = new("--eval-every") { Description = "Evaluate PSNR every N steps.", DefaultValueFactory = _ => 50 };
    public readonly Option<int> RankEvery = new("--rank-every") { Description = "Record stable ranks every N steps.", DefaultValueFactory = _ => 50 };
    public readonly Option<string> Schedule = new("--schedule") { Description = "Learning-rate schedule: cosine (to 1e-6) or constant.", DefaultValueFactory = _ => "cosine" };
    public readonly Option<string> Orthogonalizer = new("--orthogonalizer") { Description = "Muon orthogonalizer: ns5, polar-express or svd.", DefaultValueFactory = _ => "ns5" };
    public readonly Option<int> NsSteps = new("--ns-steps") { Description = "Newton–Schulz iterations of Muon.", DefaultValueFactory = _ => 5 };
    public readonly Option<string> Ssim = new("--ssim") { Description = "SSIM definition: skimage (7x7 uniform, default) or gaussian (Wang et al.).", DefaultValueFactory = _ => "skimage" };
    public readonly Option<string?> Out = new("--out") { Description = "Run directory (default runs/<time>-<model>-<optimizer>); never overwritten unless --overwrite." };
    public readonly Option<int> CheckpointEvery = new("--checkpoint-every") { Description = "Save model + optimizer state into the run directory every N steps and at the end (0 = never).", DefaultValueFactory = _ => 0 };
    public readonly Option<string?> Resume = new("--resume") { Description = "Continue from the checkpoint in this run directory (same model and optimizer options; --steps is the total)." };
    public readonly Option<bool> Overwrite = new("--overwrite") { Description = "Allow writing into an existing non-empty run directory." };

    public void AddTo(Command cmd)
    {
        cmd.Add(Path);
        if (_task == "ct") { cmd.Add(Projections); cmd.Add(NoiseTau); cmd.Add(NoiseReadout); }
        if (_task == "sisr") cmd.Add(Scale);
        foreach (var o in new Option[] { Model, Lr, MuonLr, Omega, GaussA, WaveletSigma, Mapping, FfSigma, PeLevels, FinerBias, Steps, Hidden, Layers, Downsample, Crop, Gray, Inpaint, Seed, Chunk, EvalEvery, RankEvery, Schedule, Orthogonalizer, NsSteps, Ssim, Out, Overwrite, CheckpointEvery, Resume })
            cmd.Add(o);
    }

    private static double[]? List(string? text, string option)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !(values[i] > 0))
                throw new CliException($"{option} takes positive numbers separated by commas, got '{text}'.", CliApp.Usage);
        return values;
    }

    /// <summary>Builds the options for optimizer <paramref name="optimizer"/>, checking every value.</summary>
    public ImageFitOptions Resolve(ParseResult p, string optimizer)
    {
        string path = p.GetValue(Path)!;
        string? image = path == "generated" ? null : path;
        if (image is not null && !File.Exists(image)) throw new CliException($"Image file '{image}' does not exist.");
        int steps = p.GetValue(Steps);
        if (steps < 0) throw new CliException($"--steps must be ≥ 0, got {steps}.", CliApp.Usage);
        string model = p.GetValue(Model)!;
        bool ct = _task == "ct", sisr = _task == "sisr";
        double lr = p.GetValue(Lr), muonLr = p.GetValue(MuonLr) ?? (ct ? 5e-2 : FieldPresets.DefaultMuonLearningRate(model));
        if (ct && p.GetValue(Projections) < 1) throw new CliException($"--projections must be ≥ 1, got {p.GetValue(Projections)}.", CliApp.Usage);
        if (ct && p.GetValue(NoiseTau) is { } tau && !(tau > 0)) throw new CliException($"--noise-tau must be > 0, got {tau}.", CliApp.Usage);
        if (ct && !(p.GetValue(NoiseReadout) >= 0)) throw new CliException($"--noise-readout must be ≥ 0, got {p.GetValue(NoiseReadout)}.", CliApp.Usage);
        if (sisr && p.GetValue(Scale) < 2) throw new CliException($"--scale must be ≥ 2, got {p.GetValue(Scale)}.", CliApp.Usage);
        if (!(lr >= 0) || !(muonLr >= 0)) throw new CliException($"Learning rates must be ≥ 0, got --lr {lr}, --muon-lr {muonLr}.", CliApp.Usage);
        if (!OptimizerFactory.Names.Contains(optimizer)) throw new CliException($"Unknown optimizer '{optimizer}'; expected one of {string.Join(", ", OptimizerFactory.Names)}.", CliApp.Usage);
        int ds = p.GetValue(Downsample);
        if (ds < 1) throw new CliException($"--downsample must be ≥ 1, got {ds}.", CliApp.Usage);
        (int, int)? crop = null;
        if (p.GetValue(Crop) is { } c)
        {
            var parts = c.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out int ch) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int cw) || ch <= 0 || cw <= 0)
                throw new CliException($"--crop must look like HEIGHTxWIDTH (e.g. 128x192), got '{c}'.", CliApp.Usage);
            crop = (ch, cw);
        }
        var ssim = p.GetValue(Ssim) switch
        {
            "skimage" => SsimVariant.SkimageDefault,
            "gaussian" => SsimVariant.Gaussian,
            var s => throw new CliException($"--ssim must be skimage or gaussian, got '{s}'.", CliApp.Usage),
        };
        if (p.GetValue(Inpaint) is { } f && !(f > 0 && f <= 1)) throw new CliException($"--inpaint must be in (0, 1], got {f}.", CliApp.Usage);
        if (p.GetValue(EvalEvery) <= 0 || p.GetValue(RankEvery) < 0) throw new CliException("--eval-every must be > 0 and --rank-every ≥ 0.", CliApp.Usage);
        if (p.GetValue(Chunk) < 0) throw new CliException($"--chunk must be ≥ 0, got {p.GetValue(Chunk)}.", CliApp.Usage);
        return new ImageFitOptions
        {
            Task = _task,
            Projections = p.GetValue(Projections),
            NoiseTau = ct ? p.GetValue(NoiseTau) : null,
            NoiseReadout = p.GetValue(NoiseReadout),
            ScaleFactor = p.GetValue(Scale),
            ImagePath = image,
            Model = model,
            Field = new FieldOptions
            {
                Hidden = p.GetValue(Hidden) ?? (ct || sisr ? 256 : null), Layers = p.GetValue(Layers) ?? (ct ? 5 : sisr ? 4 : null),
                Mapping = p.GetValue(Mapping) ?? (ct ? 64 : sisr ? 128 : null), FourierSigma = p.GetValue(FfSigma) ?? (ct ? 4 : sisr ? 10 : null),
                PeLevels = p.GetValue(PeLevels), Omega = List(p.GetValue(Omega), "--omega"), GaussianA = List(p.GetValue(GaussA), "--gauss-a"),
                WaveletSigma = List(p.GetValue(WaveletSigma), "--wavelet-sigma"), FinerFirstBias = p.GetValue(FinerBias),
            },
            Optimizer = new OptimizerOptions
            {
                Name = optimizer, LearningRate = lr, MuonLearningRate = muonLr, Schedule = p.GetValue(Schedule)!,
                Orthogonalizer = p.GetValue(Orthogonalizer)!, NsSteps = p.GetValue(NsSteps),
            },
            Steps = steps,
            Downsample = ds,
            Crop = crop,
            Gray = p.GetValue(Gray),
            InpaintFraction = p.GetValue(Inpaint),
            Seed = p.GetValue(Seed),
            Chunk = p.GetValue(Chunk),
            EvalEvery = p.GetValue(EvalEvery),
            RankEvery = p.GetValue(RankEvery),
            SsimVariant = ssim,
            CheckpointEvery = p.GetValue(CheckpointEvery) >= 0 ? p.GetValue(CheckpointEvery) : throw new CliException("--checkpoint-every must be ≥ 0.", CliApp.Usage),
        };
    }
}
