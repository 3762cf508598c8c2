using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonInr.Fields;
using MuonInr.Optim;
using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>
/// Resolution of a RunSpec (ARCHITECTURE decision 13): the user's fields over the presets of its task and
/// architecture, then validation of every field. A field that does not apply to the chosen architecture
/// or optimizer (omega for relu-mlp, muon_lr for Adam) is an error, never silently recorded. The result
/// has every default filled in and is what config.json holds.
/// </summary>
public static class RunSpecResolver
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Resolves <paramref name="spec"/> against <paramref name="presets"/> (the built-in table by default).</summary>
    public static RunSpec Resolve(RunSpec spec, Presets? presets = null)
    {
        presets ??= Presets.BuiltIn;
        if (string.IsNullOrEmpty(spec.Task)) throw new RunSpecException("task", $"task is not set; expected one of {string.Join(", ", TaskRegistry.All.Select(t => t.Name))}.");
        IFitTask task;
        try { task = TaskRegistry.Get(spec.Task); }
        catch (ArgumentException e) { throw new RunSpecException("task", e.Message); }
        string model = spec.Model.Name ?? presets.DefaultModel(task.Name);
        if (!Architectures.Exists(model)) throw new RunSpecException("model.name", Architectures.UnknownModel(model).Message);
        string optimizer = spec.Optimizer.Name ?? presets.DefaultOptimizer(task.Name);
        if (!OptimizerFactory.Names.Contains(optimizer))
            throw new RunSpecException("optimizer.name", $"Unknown optimizer '{optimizer}'; expected one of {string.Join(", ", OptimizerFactory.Names)}.");

        CheckFinite(spec);
        var user = RunSpecJson.ToNode(spec with { MuoninrVersion = null });
        CheckApplicable(user, model, optimizer, spec.Optimizer.Schedule, task);
        var merged = presets.Defaults(task.Name, model, optimizer, spec.Optimizer.Schedule);
        Presets.Merge(merged, user);
        var resolved = RunSpecJson.FromNode(merged) with { MuoninrVersion = RunSpec.CurrentVersion };
        Validate(resolved, task);
        return resolved;
    }

    // Non-finite numbers are refused by name before anything serialises the spec (JSON has no ∞ or NaN).
    private static void CheckFinite(RunSpec s)
    {
        void F(string field, double? v)
        {
            if (v is { } x && !double.IsFinite(x)) throw new RunSpecException(field, string.Create(Ci, $"{field} must be a finite number > 0, got {x}."));
        }
        F("optimizer.lr", s.Optimizer.Lr); F("optimizer.muon_lr", s.Optimizer.MuonLr); F("optimizer.eta_min", s.Optimizer.EtaMin);
        F("model.ff_sigma", s.Model.FfSigma);
        foreach (var (name, values) in new[] { ("omega", s.Model.Omega), ("gauss_a", s.Model.GaussA), ("wavelet_sigma", s.Model.WaveletSigma) })
            foreach (var v in values ?? []) F("model." + name, v);
    }

    private static void CheckApplicable(JsonObject user, string model, string optimizer, string? schedule, IFitTask task)
    {
        var uses = Architectures.Uses(model);
        if (user["model"] is JsonObject m)
            foreach (var (key, _) in m)
                if (key != "name" && !uses.Contains(key))
                    throw new RunSpecException("model." + key, $"model.{key} does not apply to {model} (it uses {string.Join(", ", uses)}).");
        if (user["optimizer"] is JsonObject o)
        {
            foreach (var key in new[] { "muon_lr", "orthogonalizer", "ns_steps" })
                if (o.ContainsKey(key) && !MuonRule.IsMuonFamily(optimizer))
                    throw new RunSpecException("optimizer." + key, $"optimizer.{key} applies only to muon and its variants, not {optimizer}.");
            if (optimizer == MuonRule.Root.Name && (o.ContainsKey("orthogonalizer") || o.ContainsKey("ns_steps")))
                throw new RunSpecException(o.ContainsKey("orthogonalizer") ? "optimizer.orthogonalizer" : "optimizer.ns_steps",
                    "root orthogonalizes with its own size-specific Newton–Schulz coefficients (5 steps); optimizer.orthogonalizer and optimizer.ns_steps do not apply to it.");
            if (o.ContainsKey("eta_min") && schedule is not null && schedule != "cosine")
                throw new RunSpecException("optimizer.eta_min", $"optimizer.eta_min applies only to the cosine schedule, not {schedule}.");
        }
        if (user["options"] is JsonObject opts)
            foreach (var (key, _) in opts)
                if (task.Options.All(t => t.Name != key))
                    throw new RunSpecException("options." + key, $"options.{key} is not an option of task {task.Name} (it has {string.Join(", ", task.Options.Select(t => t.Name))}).");
    }

    /// <summary>Checks every field of a resolved spec; throws naming the first bad one.</summary>
    public static void Validate(RunSpec s, IFitTask task)
    {
        if (string.IsNullOrWhiteSpace(s.Data)) throw new RunSpecException("data", $"data must be a file path or '{TaskContext.Generated}', got '{s.Data}'.");
        Range("steps", s.Steps, 0, 10_000_000);
        Range("chunk", s.Chunk, 0, int.MaxValue);
        Range("eval_every", s.EvalEvery, 1, int.MaxValue);
        Range("rank_every", s.RankEvery, 0, int.MaxValue);
        Range("checkpoint_every", s.CheckpointEvery, 0, int.MaxValue);
        if (s.Seed is null) throw new RunSpecException("seed", "seed is not set.");

        var m = s.Model;
        Range("model.hidden", m.Hidden, 1, 65536);
        Range("model.layers", m.Layers, 2, 1000);
        if (m.Mapping is not null) Range("model.mapping", m.Mapping, 1, 65536);
        if (m.PeLevels is not null) Range("model.pe_levels", m.PeLevels, 1, 64);
        Positive("model.ff_sigma", m.FfSigma);
        foreach (var (name, values) in new[] { ("omega", m.Omega), ("gauss_a", m.GaussA), ("wavelet_sigma", m.WaveletSigma) })
        {
            if (values is null) continue;
            if (values.Length == 0) throw new RunSpecException("model." + name, $"model.{name} needs one value or one per activated layer, got none.");
            for (int i = 0; i < values.Length; i++) Positive($"model.{name}", values[i]);
            if (values.Length != 1 && values.Length != m.Layers - 1)
                throw new RunSpecException("model." + name, $"model.{name} takes one value or one per activated layer ({m.Layers - 1} for {m.Layers} layers), got {values.Length}.");
        }

        var o = s.Optimizer;
        Positive("optimizer.lr", o.Lr);
        if (MuonRule.IsMuonFamily(o.Name)) Positive("optimizer.muon_lr", o.MuonLr);
        if (o.Schedule is not ("cosine" or "exponential" or "constant")) throw new RunSpecException("optimizer.schedule", $"optimizer.schedule must be cosine, exponential or constant, got '{o.Schedule}'.");
        if (o.Schedule == "cosine" && !(o.EtaMin >= 0)) throw new RunSpecException("optimizer.eta_min", string.Create(Ci, $"optimizer.eta_min must be a number ≥ 0, got {o.EtaMin}."));
        if (MuonRule.IsMuonFamily(o.Name) && !MuonRule.ByName(o.Name!).SizeSpecificNewtonSchulz)
        {
            if (o.Orthogonalizer is not ("ns5" or "polar-express" or "svd"))
                throw new RunSpecException("optimizer.orthogonalizer", $"optimizer.orthogonalizer must be ns5, polar-express or svd, got '{o.Orthogonalizer}'.");
            Range("optimizer.ns_steps", o.NsSteps, 1, 100);
        }

        foreach (var option in task.Options)
        {
            if (!s.Options.TryGetValue(option.Name, out var v))
                throw new RunSpecException("options." + option.Name, $"options.{option.Name} is not set (the presets have no default for it).");
            if (option.Check(v, "options." + option.Name) is { } error) throw new RunSpecException("options." + option.Name, error);
        }
        foreach (var key in s.Options.Keys)
            if (task.Options.All(t => t.Name != key))
                throw new RunSpecException("options." + key, $"options.{key} is not an option of task {task.Name} (it has {string.Join(", ", task.Options.Select(t => t.Name))}).");
    }

    private static void Range(string field, int? value, long min, long max)
    {
        if (value is not { } v || v < min || v > max)
            throw new RunSpecException(field, string.Create(Ci, $"{field} must be an integer in [{min}, {max}], got {(value?.ToString(Ci) ?? "nothing")}."));
    }

    private static void Positive(string field, double? value)
    {
        if (value is { } v && !(v > 0 && double.IsFinite(v)))
            throw new RunSpecException(field, string.Create(Ci, $"{field} must be a finite number > 0, got {v}."));
    }

    /// <summary>The task context of a resolved spec.</summary>
    public static TaskContext Context(RunSpec s) => new(s.Data!, s.Options, s.Seed!.Value, s.Chunk!.Value);

    /// <summary>Fields whose change alters the trajectory of a run (everything but the step count, the logging and checkpoint intervals and the version).</summary>
    public static IEnumerable<(string Field, string Was, string Now)> TrajectoryDifferences(RunSpec was, RunSpec now)
    {
        JsonObject Strip(RunSpec s)
        {
            var n = RunSpecJson.ToNode(s with { Steps = null, EvalEvery = null, RankEvery = null, CheckpointEvery = null, MuoninrVersion = null });
            return n;
        }
        var a = RunSpecJson.Leaves(Strip(was)).ToDictionary(l => l.Path, l => l.Value);
        var b = RunSpecJson.Leaves(Strip(now)).ToDictionary(l => l.Path, l => l.Value);
        foreach (var key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            a.TryGetValue(key, out var x); b.TryGetValue(key, out var y);
            if (x != y) yield return (key, x ?? "unset", y ?? "unset");
        }
    }
}
