using System.Text.Json;
using System.Text.Json.Nodes;
using MuonInr.Fields;
using MuonInr.Optim;

using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>
/// The presets table (ARCHITECTURE decision 14): every default of every task x architecture, as data
/// (the embedded <c>Experiments/Presets/presets.json</c>), each value with its source (paper text, the
/// paper's code file:line, our sweeps). A presets file of the same shape (<c>--presets FILE</c>, written by
/// hand or by a sweep) is laid over the built-in table. Nothing else in MuonInr holds a task default.
/// <para>
/// Per task: <c>run</c> (a partial RunSpec: steps, seed, schedule, task options, the default model and
/// optimizer), <c>model</c> (every architecture hyperparameter), <c>lr</c> (learning rate per optimizer;
/// <c>muon</c> = the auxiliary Adam's), <c>muon_lr</c>, <c>models</c> (per-architecture overrides of any of
/// these) and <c>sources</c> (dotted key → where the value comes from).
/// </para>
/// </summary>
public sealed class Presets
{
    private readonly JsonObject _root;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonObject> _plugins = new();

    private Presets(JsonObject root) => _root = root;

    /// <summary>The built-in table.</summary>
    public static Presets BuiltIn { get; } = new(LoadBuiltIn());

    private static JsonObject LoadBuiltIn()
    {
        using var s = typeof(Presets).Assembly.GetManifestResourceStream("MuonInr.presets.json")
            ?? throw new InvalidOperationException("The presets table is missing from the assembly.");
        return JsonNode.Parse(s)!.AsObject();
    }

    /// <summary>The built-in table with the file at <paramref name="path"/> laid over it (objects merged key by key).</summary>
    public static Presets WithFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Presets file '{path}' does not exist.", path);
        JsonNode? overlay;
        try { overlay = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new RunSpecException("presets", $"Presets file '{path}' is not valid JSON (line {e.LineNumber + 1}): {e.Message.Split(". ")[0]}."); }
        if (overlay is not JsonObject o) throw new RunSpecException("presets", $"Presets file '{path}' must be a JSON object keyed by task.");
        var merged = (JsonObject)BuiltIn._root.DeepClone();
        Merge(merged, o);
        return new Presets(merged);
    }

    /// <summary>Tasks the table has presets for.</summary>
    public IEnumerable<string> Tasks => _root.Select(kv => kv.Key);

    /// <summary>Deep merge: objects key by key, anything else replaced.</summary>
    public static void Merge(JsonObject target, JsonObject overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is JsonObject o && target[key] is JsonObject t) Merge(t, o);
            else target[key] = value?.DeepClone();
        }
    }

    private JsonObject Task(string task)
    {
        if (_root[task] is JsonObject t) return t;
        // A plug-in task may bring its own entry; the table (and a presets file) still wins where it has one.
        var own = MuonInr.Tasks.TaskRegistry.All.FirstOrDefault(x => x.Name == task)?.PresetsJson;
        if (own is null) throw new RunSpecException("task", $"No presets for task '{task}'; the presets table has {string.Join(", ", Tasks)}.");
        return _plugins.GetOrAdd(task + "\n" + own, _ => JsonNode.Parse(own) as JsonObject
            ?? throw new InvalidOperationException($"Task {task}: PresetsJson is not a JSON object."));
    }

    private JsonObject? ModelEntry(string task, string model) => (Task(task)["models"] as JsonObject)?[model] as JsonObject;

    /// <summary>The default model of <paramref name="task"/>.</summary>
    public string DefaultModel(string task) => (string?)Task(task)["run"]?["model"]?["name"] ?? throw new InvalidOperationException($"presets: {task}.run.model.name is missing.");

    /// <summary>The default optimizer of <paramref name="task"/>.</summary>
    public string DefaultOptimizer(string task) => (string?)Task(task)["run"]?["optimizer"]?["name"] ?? throw new InvalidOperationException($"presets: {task}.run.optimizer.name is missing.");

    /// <summary>
    /// Every default of (<paramref name="task"/>, <paramref name="model"/>, <paramref name="optimizer"/>) as a
    /// RunSpec object: run settings, the architecture's hyperparameters (only those it uses), the
    /// optimizer's learning rates and schedule (only what it uses), the task options.
    /// </summary>
    public JsonObject Defaults(string task, string model, string optimizer, string? schedule)
    {
        var t = Task(task);
        var entry = ModelEntry(task, model);
        var run = (JsonObject)(t["run"]?.DeepClone() ?? new JsonObject());
        if (entry?["run"] is JsonObject r) Merge(run, r);

        var hyper = (JsonObject)(t["model"]?.DeepClone() ?? new JsonObject());
        if (entry?["model"] is JsonObject m) Merge(hyper, m);
        var modelNode = new JsonObject { ["name"] = model };
        foreach (var key in Architectures.Uses(model))
            modelNode[key] = hyper[key]?.DeepClone() ?? throw new InvalidOperationException($"presets: {task}.model.{key} (used by {model}) is missing.");
        run["model"] = modelNode;

        var opt = (JsonObject)(run["optimizer"]?.DeepClone() ?? new JsonObject());
        if (entry?["optimizer"] is JsonObject eo) Merge(opt, eo);
        opt["name"] = optimizer;
        var lrs = (JsonObject)(t["lr"]?.DeepClone() ?? new JsonObject());
        if (entry?["lr"] is JsonObject el) Merge(lrs, el);
        // A Muon variant without its own entry starts from Muon's values (untuned for it; docs/variants.md).
        string lrKey = lrs.ContainsKey(optimizer) || !MuonRule.IsMuonFamily(optimizer) ? optimizer : "muon";
        opt["lr"] = lrs[lrKey]?.DeepClone() ?? throw new InvalidOperationException($"presets: {task}.lr.{optimizer} is missing.");
        if (MuonRule.IsMuonFamily(optimizer))
            opt["muon_lr"] = (entry?["muon_lr"] ?? t["muon_lr"])?.DeepClone() ?? throw new InvalidOperationException($"presets: {task}.muon_lr is missing.");
        // Adam & co. have no orthogonalizer; ROOT brings its own size-specific coefficients.
        if (!MuonRule.IsMuonFamily(optimizer) || MuonRule.ByName(optimizer).SizeSpecificNewtonSchulz) { opt.Remove("orthogonalizer"); opt.Remove("ns_steps"); }
        if ((schedule ?? (string?)opt["schedule"]) != "cosine") opt.Remove("eta_min");
        run["optimizer"] = opt;

        if (entry?["options"] is JsonObject eopt)
        {
            var options = (JsonObject)(run["options"]?.DeepClone() ?? new JsonObject());
            Merge(options, eopt);
            run["options"] = options;
        }
        run["task"] = task;
        return run;
    }

    private const string Ours = "MuonInr's choice (no paper value: input, logging or output setting)";

    /// <summary>
    /// Every value of the table for the docs: (task, dotted key, value, source). Per-architecture rows
    /// are the resolved values of each architecture, sourced from its override or the task's default.
    /// </summary>
    public IEnumerable<(string Task, string Model, string Key, string Value, string Source)> Rows()
    {
        foreach (var task in Tasks)
        {
            var t = Task(task);
            var sources = t["sources"] as JsonObject ?? [];
            string Src(string key, string? model)
            {
                if (model is not null && sources[$"models.{model}.{key}"] is { } ms) return (string)ms!;
                return (string?)sources[key] ?? (string?)sources["run." + key] ?? "";
            }
            foreach (var (name, _, _) in Architectures.All)
            {
                var d = Defaults(task, name, "muon", null);
                foreach (var (k, v) in (JsonObject)d["model"]!)
                    if (k != "name") yield return (task, name, "model." + k, v!.ToJsonString(), Src("model." + k, name));
                yield return (task, name, "lr.adam", Defaults(task, name, "adam", null)["optimizer"]!["lr"]!.ToJsonString(), Src("lr.adam", name));
                yield return (task, name, "lr.muon (aux Adam)", d["optimizer"]!["lr"]!.ToJsonString(), Src("lr.muon", name));
                yield return (task, name, "muon_lr", d["optimizer"]!["muon_lr"]!.ToJsonString(), Src("muon_lr", name));
                if (d["options"] is JsonObject opts)
                    foreach (var (k, v) in opts)
                        if ((ModelEntry(task, name)?["options"] as JsonObject)?.ContainsKey(k) == true)
                            yield return (task, name, "options." + k, v?.ToJsonString() ?? "null", Src("options." + k, name));
            }
            var run = (JsonObject)t["run"]!;
            foreach (var (k, v) in run)
            {
                if (v is JsonObject o)
                    foreach (var (k2, v2) in o) yield return (task, "*", $"run.{k}.{k2}", v2?.ToJsonString() ?? "null", (string?)sources[$"run.{k}.{k2}"] ?? Ours);
                else yield return (task, "*", "run." + k, v?.ToJsonString() ?? "null", (string?)sources["run." + k] ?? Ours);
            }
            foreach (var (opt, v) in (JsonObject)t["lr"]!)
                if (opt is not ("adam" or "muon")) yield return (task, "*", "lr." + opt, v!.ToJsonString(), (string?)sources["lr." + opt] ?? "");
        }
    }
}
