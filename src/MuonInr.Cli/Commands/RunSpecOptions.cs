using System.CommandLine;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Tasks;

namespace MuonInr.Cli.Commands;

/// <summary>
/// The flags of <c>fit TASK</c> and <c>compare TASK</c>, for any task: each sets one RunSpec field (the
/// rest come from the presets table at resolution), plus one flag per option the task declares. Numbers
/// are read by <see cref="CliValues"/> so every flag reports a bad value the same way.
/// </summary>
internal sealed class RunSpecOptions
{
    private readonly IFitTask _task;
    private readonly List<(TaskOption Declared, Option<string> Flag)> _taskFlags = [];

    public RunSpecOptions(IFitTask task)
    {
        _task = task;
        Data = new Argument<string>("DATA") { Description = $"The {task.DataDescription}." };
        foreach (var o in task.Options)
            _taskFlags.Add((o, new Option<string>(o.Flag) { Description = $"{o.Description} Accepts {o.Accepted()} (default: presets).", Arity = o.Kind == TaskOptionKind.Boolean ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne }));
    }

    public readonly Argument<string> Data;
    public readonly Option<string> Model = new("--model") { Description = "Architecture: " + string.Join(", ", Architectures.All.Select(a => a.Name)) + " (default: the task's, see 'muoninr presets')." };
    public readonly Option<string> Lr = new("--lr") { Description = "Learning rate of the optimizer; under Muon, of its auxiliary Adam (default: presets, per task and architecture)." };
    public readonly Option<string> MuonLr = new("--muon-lr") { Description = "Muon's learning rate for the hidden matrices (default: presets, per task and architecture)." };
    public readonly Option<string> Schedule = new("--schedule") { Description = "Learning-rate schedule: cosine (to --eta-min), exponential (every group decays 10x over the run) or constant." };
    public readonly Option<string> EtaMin = new("--eta-min") { Description = "Final learning rate of the cosine schedule." };
    public readonly Option<string> Orthogonalizer = new("--orthogonalizer") { Description = "Muon's orthogonalizer: ns5, polar-express or svd." };
    public readonly Option<string> NsSteps = new("--ns-steps") { Description = "Newton–Schulz iterations of Muon." };
    public readonly Option<string> Hidden = new("--hidden") { Description = "Hidden width." };
    public readonly Option<string> Layers = new("--layers") { Description = "Number of Linear layers." };
    public readonly Option<string> Mapping = new("--mapping") { Description = "Fourier-feature frequencies (relu-ffn, gauss-ffn)." };
    public readonly Option<string> FfSigma = new("--ff-sigma") { Description = "σ of the Fourier-feature matrix B (relu-ffn, gauss-ffn)." };
    public readonly Option<string> PeLevels = new("--pe-levels") { Description = "Positional-encoding frequency bands per coordinate (relu-pe)." };
    public readonly Option<string> Omega = new("--omega") { Description = "ω of siren, finer, wire, wire-real: one value or one per activated layer, comma-separated." };
    public readonly Option<string> GaussA = new("--gauss-a") { Description = "a of the Gaussian activation (gauss-mlp, gauss-ffn): one or one per layer." };
    public readonly Option<string> WaveletSigma = new("--wavelet-sigma") { Description = "σ of the Gabor wavelet (wire, wire-real): one or one per layer." };
    public readonly Option<bool> FinerBias = new("--finer-bias") { Description = "FINER: first-layer bias U(±1/√2) (the paper's --finer_init_bias)." };
    public readonly Option<string> Steps = new("--steps") { Description = "Training steps (default: presets; the paper uses 5000, the CPU protocols 1000)." };
    public readonly Option<string> Seed = new("--seed") { Description = "Seed of initialisation, splits and noise." };
    public readonly Option<string> Chunk = new("--chunk") { Description = "Rows per gradient chunk (0 = all at once); bounds memory on large signals, same gradient." };
    public readonly Option<string> EvalEvery = new("--eval-every") { Description = "Evaluate the task's metric every N steps." };
    public readonly Option<string> RankEvery = new("--rank-every") { Description = "Record stable ranks every N steps (0 = start and end only)." };
    public readonly Option<string> CheckpointEvery = new("--checkpoint-every") { Description = "Save a checkpoint every N steps and at the end (0 = never; a signal always saves one)." };
    public readonly Option<string?> Out = new("--out") { Description = "Run directory (default runs/<time>-<model>-<optimizer>); never overwritten unless --overwrite." };
    public readonly Option<bool> Overwrite = new("--overwrite") { Description = "Empty and reuse an existing non-empty run directory." };
    public readonly Option<string?> Presets = new("--presets") { Description = "A presets file (same shape as 'muoninr presets --json') laid over the built-in table." };

    public IEnumerable<Option> AllOptions() =>
    [
        Model, Lr, MuonLr, Schedule, EtaMin, Orthogonalizer, NsSteps, Hidden, Layers, Mapping, FfSigma, PeLevels, Omega, GaussA, WaveletSigma, FinerBias,
        Steps, Seed, Chunk, EvalEvery, RankEvery, CheckpointEvery, .. _taskFlags.Select(f => f.Flag), Out, Overwrite, Presets,
    ];

    public void AddTo(Command cmd)
    {
        cmd.Add(Data);
        foreach (var o in AllOptions()) cmd.Add(o);
    }

    /// <summary>The presets the command line asks for.</summary>
    public Experiments.Presets LoadPresets(ParseResult p) => p.GetValue(Presets) is { } file ? Experiments.Presets.WithFile(file) : Experiments.Presets.BuiltIn;

    /// <summary>The RunSpec the command line describes (unset fields null: the presets fill them at resolution).</summary>
    public RunSpec Build(ParseResult p, string? optimizer, string? model)
    {
        string? S(Option<string> o) => p.GetValue(o);
        double? D(Option<string> o) => S(o) is { } t ? CliValues.Number(t, o.Name) : null;
        int? I(Option<string> o) => S(o) is { } t ? CliValues.Int(t, o.Name) : null;
        double[]? L(Option<string> o) => S(o) is { } t ? CliValues.List(t, o.Name) : null;
        string data = p.GetValue(Data)!;
        if (data.Length == 0) throw new CliException($"DATA must be a file path or '{TaskContext.Generated}', got ''.", CliApp.Usage);
        var spec = new RunSpec
        {
            Task = _task.Name,
            Data = data,
            Model = new ModelSpec
            {
                Name = model ?? S(Model), Hidden = I(Hidden), Layers = I(Layers), Mapping = I(Mapping), FfSigma = D(FfSigma), PeLevels = I(PeLevels),
                Omega = L(Omega), GaussA = L(GaussA), WaveletSigma = L(WaveletSigma), FinerFirstBias = p.GetResult(FinerBias) is { Implicit: false } ? p.GetValue(FinerBias) : null,
            },
            Optimizer = new OptimizerSpec
            {
                Name = optimizer, Lr = D(Lr), MuonLr = D(MuonLr), Schedule = S(Schedule), EtaMin = D(EtaMin), Orthogonalizer = S(Orthogonalizer), NsSteps = I(NsSteps),
            },
            Steps = I(Steps), Seed = S(Seed) is { } seed ? CliValues.Seed(seed, "--seed") : null, Chunk = I(Chunk),
            EvalEvery = I(EvalEvery), RankEvery = I(RankEvery), CheckpointEvery = I(CheckpointEvery),
        };
        foreach (var (declared, flag) in _taskFlags)
        {
            var result = p.GetResult(flag);
            if (result is null || result.Implicit) continue;
            string? text = p.GetValue(flag);
            object? value = declared.Kind switch
            {
                _ when text is not null && declared.Nullable && text.Trim().ToLowerInvariant() is "none" or "null" or "off" => null,
                TaskOptionKind.Boolean => text is null || text.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on" ? true
                    : text.Trim().ToLowerInvariant() is "false" or "0" or "no" or "off" ? false
                    : throw new CliException($"{flag.Name} takes true or false, got '{text}'.", CliApp.Usage),
                TaskOptionKind.Integer => CliValues.Integer(text!, flag.Name),
                TaskOptionKind.Number => CliValues.Number(text!, flag.Name) is var x && double.IsFinite(x) ? x
                    : throw new CliException($"{flag.Name}: options.{declared.Name} must be {declared.Accepted()}, got {text}.", CliApp.Usage),
                _ => text,
            };
            spec = spec.WithOption(declared.Name, value);
        }
        return spec;
    }

    /// <summary>The CLI flag of a RunSpec field, for error messages ("optimizer.lr" → "--lr").</summary>
    public static string FlagOf(string field) => field switch
    {
        "" or "task" or "presets" => "",
        "data" => "DATA",
        "model.name" => "--model",
        "optimizer.name" => "--optimizer",
        "model.finer_first_bias" => "--finer-bias",
        _ => "--" + field[(field.LastIndexOf('.') + 1)..].Replace('_', '-'),
    };
}
