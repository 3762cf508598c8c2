using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace MuonInr.Sweeps;

/// <summary>One grid of a sweep: axes (RunSpec field path → values) combined as a product or zipped.</summary>
/// <param name="Name">Label of the grid (e.g. "adam", "muon").</param>
/// <param name="Axes">Field path → values, in file order.</param>
/// <param name="Zip">Zip the axes (equal lengths) instead of taking their product.</param>
/// <param name="Models">The models this grid applies to (null: every model of the sweep), e.g. a grid that extends
/// one architecture's search past the edge where its optimum sat.</param>
public sealed record SweepGrid(string Name, IReadOnlyList<(string Path, IReadOnlyList<JsonNode?> Values)> Axes, bool Zip,
    IReadOnlyList<string>? Models = null)
{
    /// <summary>Whether the grid applies to <paramref name="model"/> (a sweep without models: only grids without a model list).</summary>
    public bool AppliesTo(string? model) => Models is null || (model is not null && Models.Contains(model));
}

/// <summary>
/// A sweep (ARCHITECTURE decision 16) as written in YAML or JSON: a base RunSpec, grids of axes over any
/// RunSpec field, models, seeds, data files with roles (tune, evaluate), the selection metric and its
/// direction, retries. Paths of data files are relative to the spec file.
/// </summary>
/// <example>
/// <code>
/// name: relu-mlp-kodak
/// base: { task: image, steps: 500, model: { hidden: 128 }, options: { downsample: 4 } }
/// models: [relu-mlp, siren]
/// grids:
///   - name: adam
///     axes: { optimizer.name: [adam], optimizer.lr: logspace(1e-4, 1e-1, 7) }
///   - name: muon
///     axes: { optimizer.name: [muon], optimizer.muon_lr: logspace(1e-3, 3e-1, 5), optimizer.lr: [1e-4, 1e-3, 1e-2] }
/// seeds: [0]
/// data: { tune: [kodim01.png], evaluate: [kodim02.png, kodim03.png] }
/// select: { metric: psnr, direction: max }
/// retries: 1
/// </code>
/// </example>
public sealed record SweepSpec
{
    /// <summary>Name (folder name by default).</summary>
    public required string Name { get; init; }
    /// <summary>The base RunSpec (partial; the presets fill the rest per configuration).</summary>
    public required JsonObject Base { get; init; }
    /// <summary>Architectures to sweep (each gets every grid); empty = the base's model.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>Grids, unioned (each is a product or a zip of its axes).</summary>
    public required IReadOnlyList<SweepGrid> Grids { get; init; }
    /// <summary>Seeds; every configuration runs with each.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [0];
    /// <summary>Data to tune on (files, absolute paths, or "generated"; each with its signal's options).</summary>
    public required IReadOnlyList<SweepData> Tune { get; init; }
    /// <summary>Data the best configuration of each (model, optimizer) is evaluated on (second stage); may be empty.</summary>
    public IReadOnlyList<SweepData> Evaluate { get; init; } = [];
    /// <summary>Task options set by any data entry (they describe the signal and are not part of a configuration).</summary>
    public IReadOnlyList<string> DataOptionKeys => Tune.Concat(Evaluate).SelectMany(d => d.Options.Select(o => o.Key)).Distinct().ToList();
    /// <summary>Metric that selects (a name of the task's summary metrics: psnr, ssim, snr, si_snr, …; or "loss").</summary>
    public string Metric { get; init; } = "psnr";
    /// <summary>True when larger is better.</summary>
    public bool Maximize { get; init; } = true;
    /// <summary>How often a crashed run is retried (a run that diverged is a result, not retried).</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Reads a spec file (YAML or JSON; JSON is YAML).</summary>
    public static SweepSpec Load(string path)
    {
        if (Directory.Exists(path)) throw new SweepSpecException("", $"'{path}' is a directory, not a sweep spec file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Sweep spec '{path}' does not exist.", path);
        string text = File.ReadAllText(path);
        return Parse(text, Path.GetDirectoryName(Path.GetFullPath(path))!, Path.GetFileNameWithoutExtension(path));
    }

    /// <summary>Parses spec text; relative data paths are resolved against <paramref name="baseDir"/>.</summary>
    public static SweepSpec Parse(string text, string baseDir, string defaultName = "sweep")
    {
        JsonNode? root;
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            root = yaml.Documents.Count == 0 ? null : ToJson(yaml.Documents[0].RootNode);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SweepSpecException("", $"The sweep spec is not valid YAML/JSON (line {e.Start.Line}, column {e.Start.Column}): {e.Message.Split('\n')[0]}");
        }
        if (root is not JsonObject o) throw new SweepSpecException("", "A sweep spec is a mapping with base, grids, data, … (see examples/sweeps/).");
        var known = new[] { "name", "base", "models", "grids", "axes", "mode", "seeds", "data", "select", "retries" };
        foreach (var (k, _) in o)
            if (!known.Contains(k)) throw new SweepSpecException(k, $"Unknown field '{k}' in the sweep spec; it has: {string.Join(", ", known)}.");

        string name = Str(o["name"], "name") ?? defaultName;
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name is "." or "..")
            throw new SweepSpecException("name", $"name must be usable as a folder name, got '{name}'.");
        var @base = o["base"] as JsonObject ?? (o["base"] is null ? throw new SweepSpecException("base", "base (a RunSpec with at least task) is missing.") : throw new SweepSpecException("base", "base must be a mapping (a RunSpec)."));
        if (@base["data"] is not null) throw new SweepSpecException("base.data", "base.data is set by data.tune / data.evaluate; remove it from base.");
        if (@base["seed"] is not null) throw new SweepSpecException("base.seed", "base.seed is set by seeds; remove it from base.");

        var grids = new List<SweepGrid>();
        if (o["grids"] is JsonArray ga)
        {
            for (int i = 0; i < ga.Count; i++)
            {
                if (ga[i] is not JsonObject g) throw new SweepSpecException($"grids[{i}]", $"grids[{i}] must be a mapping with axes (and optionally name, mode).");
                foreach (var (k, _) in g)
                    if (k is not ("name" or "axes" or "mode" or "models")) throw new SweepSpecException($"grids[{i}].{k}", $"Unknown field 'grids[{i}].{k}'; a grid has name, axes, mode, models.");
                grids.Add(Grid(g, $"grids[{i}]", Str(g["name"], $"grids[{i}].name") ?? $"grid{i}"));
            }
        }
        else if (o["grids"] is not null) throw new SweepSpecException("grids", "grids must be a list of {name, axes, mode, models}.");
        if (o["axes"] is not null) grids.Insert(0, Grid(o, "", "grid"));
        if (grids.Count == 0) grids.Add(new SweepGrid("single", [], false));

        var models = List(o["models"], "models").Select((m, i) => Str(m, $"models[{i}]") ?? throw new SweepSpecException($"models[{i}]", $"models[{i}] must be an architecture name.")).ToList();
        var seeds = o["seeds"] is null ? [0UL] : List(o["seeds"], "seeds").Select((s, i) =>
            s is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && System.Text.Json.JsonSerializer.SerializeToElement(v).TryGetInt64(out long l) && l >= 0 ? (ulong)l : throw new SweepSpecException($"seeds[{i}]", $"seeds[{i}] must be a non-negative integer, got {s?.ToJsonString()}.")).ToList();
        if (seeds.Count == 0) throw new SweepSpecException("seeds", "seeds needs at least one seed.");
        for (int i = 0; i < grids.Count; i++)
        {
            if (grids[i].Models is not { } gm) continue;
            string field = o["axes"] is not null ? $"grids[{i - 1}].models" : $"grids[{i}].models";
            if (models.Count == 0) throw new SweepSpecException(field, $"{field} needs the sweep's models list (models: [...]) to choose from.");
            for (int j = 0; j < gm.Count; j++)
                if (!models.Contains(gm[j])) throw new SweepSpecException($"{field}[{j}]", $"{field}[{j}] is '{gm[j]}', not one of the sweep's models ({string.Join(", ", models)}).");
        }

        var data = o["data"];
        List<SweepData> tune, evaluate = [];
        if (data is JsonArray) tune = Entries(data, "data", baseDir);
        else if (data is JsonObject d)
        {
            foreach (var (k, _) in d)
                if (k is not ("tune" or "evaluate")) throw new SweepSpecException($"data.{k}", $"Unknown data role '{k}'; roles are tune and evaluate.");
            tune = Entries(d["tune"], "data.tune", baseDir);
            evaluate = Entries(d["evaluate"], "data.evaluate", baseDir);
        }
        else tune = [new SweepData("generated")];
        if (tune.Count == 0) throw new SweepSpecException("data.tune", "data.tune needs at least one file (or 'generated').");
        foreach (var e in tune.Concat(evaluate))
            if (e.Path != "generated" && !File.Exists(e.Path)) throw new SweepSpecException("data", $"Data file '{e.Path}' does not exist.");
        var optionKeys = tune.Concat(evaluate).SelectMany(e => e.Options.Select(x => x.Key)).Distinct().ToList();
        foreach (var g in grids)
            foreach (var (path, _) in g.Axes)
                if (path.StartsWith("options.", StringComparison.Ordinal) && optionKeys.Contains(path["options.".Length..]))
                    throw new SweepSpecException(path, $"{path} is set by data entries (it describes the signal); sweep it there or remove it from the data entries.");

        string metric = "psnr"; bool maximize = true;
        if (o["select"] is JsonObject sel)
        {
            foreach (var (k, _) in sel)
                if (k is not ("metric" or "direction")) throw new SweepSpecException($"select.{k}", $"Unknown field 'select.{k}'; select has metric and direction.");
            metric = Str(sel["metric"], "select.metric") ?? "psnr";
            string dir = Str(sel["direction"], "select.direction") ?? (metric == "loss" ? "min" : "max");
            maximize = dir switch { "max" => true, "min" => false, _ => throw new SweepSpecException("select.direction", $"select.direction must be max or min, got '{dir}'.") };
        }
        else if (o["select"] is not null) throw new SweepSpecException("select", "select must be a mapping {metric, direction}.");
        int retries = o["retries"] is JsonValue rv && rv.GetValueKind() == System.Text.Json.JsonValueKind.Number && System.Text.Json.JsonSerializer.SerializeToElement(rv).TryGetInt32(out int r) && r >= 0 && r <= 10 ? r
            : o["retries"] is null ? 1 : throw new SweepSpecException("retries", $"retries must be an integer in [0, 10], got {o["retries"]!.ToJsonString()}.");
        return new SweepSpec { Name = name, Base = @base, Models = models, Grids = grids, Seeds = seeds, Tune = tune, Evaluate = evaluate, Metric = metric, Maximize = maximize, Retries = retries };
    }

    // A data list: each entry a path or { file: PATH, options: { … } }; relative paths against baseDir.
    private static List<SweepData> Entries(JsonNode? n, string field, string baseDir)
    {
        string Resolve(string p) => p == "generated" ? p : Path.GetFullPath(Path.Combine(baseDir, p));
        var list = new List<SweepData>();
        var items = List(n, field);
        for (int i = 0; i < items.Count; i++)
        {
            string f = $"{field}[{i}]";
            if (items[i] is JsonObject e)
            {
                foreach (var (k, _) in e)
                    if (k is not ("file" or "options")) throw new SweepSpecException($"{f}.{k}", $"Unknown field '{f}.{k}'; a data entry has file and options.");
                string path = Str(e["file"], $"{f}.file") ?? throw new SweepSpecException($"{f}.file", $"{f} needs file (a path, or 'generated').");
                if (e["options"] is not (null or JsonObject)) throw new SweepSpecException($"{f}.options", $"{f}.options must be a mapping of task option → value, e.g. {{ start: 4 }}.");
                var options = e["options"] is JsonObject o ? o.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value?.DeepClone())).ToList() : [];
                list.Add(new SweepData(Resolve(path), options));
            }
            else list.Add(new SweepData(Resolve(Str(items[i], f) ?? throw new SweepSpecException(f, $"{f} must be a path or {{ file, options }}."))));
        }
        var labels = list.GroupBy(d => d.Label).FirstOrDefault(g => g.Count() > 1);
        if (labels is not null) throw new SweepSpecException(field, $"{field} lists '{labels.Key}' twice.");
        return list;
    }

    private static SweepGrid Grid(JsonObject g, string prefix, string name)
    {
        string p = prefix.Length > 0 ? prefix + "." : "";
        var axes = new List<(string, IReadOnlyList<JsonNode?>)>();
        if (g["axes"] is JsonObject a)
            foreach (var (path, values) in a)
            {
                if (path is "data" or "seed") throw new SweepSpecException($"{p}axes.{path}", $"{p}axes.{path}: use the data and seeds sections for the data files and seeds.");
                axes.Add((path, Values(values, $"{p}axes.{path}")));
            }
        else if (g["axes"] is not null) throw new SweepSpecException($"{p}axes", $"{p}axes must be a mapping of field path → values.");
        string mode = Str(g["mode"], $"{p}mode") ?? "product";
        if (mode is not ("product" or "zip")) throw new SweepSpecException($"{p}mode", $"{p}mode must be product or zip, got '{mode}'.");
        if (mode == "zip" && axes.Select(x => x.Item2.Count).Distinct().Count() > 1)
            throw new SweepSpecException($"{p}axes", $"{p}mode zip needs axes of equal length, got {string.Join(", ", axes.Select(x => $"{x.Item1}: {x.Item2.Count}"))}.");
        List<string>? gridModels = null;
        if (prefix.Length > 0 && g["models"] is not null)   // top level: models is the sweep's list, not a filter
        {
            gridModels = List(g["models"], $"{p}models").Select((m, i) => Str(m, $"{p}models[{i}]") ?? throw new SweepSpecException($"{p}models[{i}]", $"{p}models[{i}] must be an architecture name.")).ToList();
            if (gridModels.Count == 0) throw new SweepSpecException($"{p}models", $"{p}models is empty; list at least one model or leave it out (every model).");
        }
        return new SweepGrid(name, axes, mode == "zip", gridModels);
    }

    /// <summary>Axis values: a list, a scalar, or logspace(a, b, n) / linspace(a, b, n) as a string.</summary>
    public static IReadOnlyList<JsonNode?> Values(JsonNode? node, string field)
    {
        if (node is JsonArray arr)
        {
            if (arr.Count == 0) throw new SweepSpecException(field, $"{field} needs at least one value.");
            return arr.Select(x => x?.DeepClone()).ToList();
        }
        if (node is JsonValue v && v.TryGetValue(out string? s))
        {
            var m = System.Text.RegularExpressions.Regex.Match(s.Trim(), @"^(logspace|linspace)\(\s*([^,]+),\s*([^,]+),\s*(\d+)\s*\)$");
            if (m.Success)
            {
                var ci = CultureInfo.InvariantCulture;
                if (!double.TryParse(m.Groups[2].Value, NumberStyles.Float, ci, out double a) || !double.TryParse(m.Groups[3].Value, NumberStyles.Float, ci, out double b)
                    || !int.TryParse(m.Groups[4].Value, ci, out int n) || n < 1 || n > 1000 || !double.IsFinite(a) || !double.IsFinite(b))
                    throw new SweepSpecException(field, $"{field}: {m.Groups[1].Value}(a, b, n) needs finite numbers and 1 ≤ n ≤ 1000, got '{s}'.");
                bool log = m.Groups[1].Value == "logspace";
                if (log && (a <= 0 || b <= 0)) throw new SweepSpecException(field, $"{field}: logspace(a, b, n) needs a, b > 0 (the end points, not exponents), got '{s}'.");
                return Enumerable.Range(0, n).Select(i =>
                {
                    double t = n == 1 ? 0 : (double)i / (n - 1);
                    double x = log ? Math.Exp(Math.Log(a) + t * (Math.Log(b) - Math.Log(a))) : a + t * (b - a);
                    return (JsonNode?)JsonValue.Create(double.Parse(x.ToString("G6", ci), ci)); // 6 significant digits: stable ids, readable labels
                }).ToList();
            }
        }
        return [node?.DeepClone()];
    }

    private static string? Str(JsonNode? n, string field) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v => v.ToJsonString(),
        _ => throw new SweepSpecException(field, $"{field} must be a string, got {n.ToJsonString()}."),
    };

    private static IReadOnlyList<JsonNode?> List(JsonNode? n, string field) => n switch
    {
        null => [],
        JsonArray a => [.. a],
        _ => [n],
    };

    // YAML → JSON: plain scalars that read as numbers, booleans or null become those; everything else a string.
    private static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode m:
                var o = new JsonObject();
                foreach (var (k, v) in m.Children)
                {
                    string key = ((YamlScalarNode)k).Value ?? "";
                    if (o.ContainsKey(key)) throw new SweepSpecException(key, $"Field '{key}' appears twice in one mapping.");
                    o[key] = ToJson(v);
                }
                return o;
            case YamlSequenceNode s:
                return new JsonArray([.. s.Children.Select(ToJson)]);
            case YamlScalarNode sc:
                string text = sc.Value ?? "";
                if (sc.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) return JsonValue.Create(text);
                if (text is "" or "~" or "null" or "Null" or "NULL") return null;
                if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
                if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return JsonValue.Create(l);
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)) return JsonValue.Create(d);
                return JsonValue.Create(text);
            default:
                return null;
        }
    }
}
