using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MuonInr.Experiments;
using MuonInr.Tasks;

namespace MuonInr.Sweeps;

/// <summary>Expands a sweep into resolved RunSpecs with stable ids: the tune stage, and the evaluate stage of the winners.</summary>
public static class SweepPlanner
{
    /// <summary>Every run of the tune stage: models × grids × axis combinations × seeds × tune files, deduplicated by id.</summary>
    public static IReadOnlyList<PlannedRun> TuneStage(SweepSpec s, Presets presets)
    {
        var runs = new List<PlannedRun>();
        var seen = new HashSet<string>();
        var models = s.Models.Count > 0 ? s.Models.Select(m => (string?)m).ToList() : [null];
        var dataKeys = s.DataOptionKeys;
        foreach (var model in models)
            foreach (var grid in s.Grids.Where(g => g.AppliesTo(model)))
                foreach (var combo in Combinations(grid))
                    foreach (var seed in s.Seeds)
                        foreach (var file in s.Tune)
                        {
                            var node = (JsonObject)s.Base.DeepClone();
                            if (model is not null) Set(node, "model.name", model);
                            foreach (var (path, value) in combo) Set(node, path, value);
                            SetData(node, file, s.Base, dataKeys);
                            Set(node, "seed", seed);
                            var run = Plan(node, "tune", grid.Name, presets, Describe(model, combo), file, dataKeys);
                            if (seen.Add(run.Id)) runs.Add(run);
                        }
        return runs;
    }

    /// <summary>The evaluate stage: each winner's configuration on every evaluate file and seed.</summary>
    public static IReadOnlyList<PlannedRun> EvaluateStage(SweepSpec s, IEnumerable<PlannedRun> winners, Presets presets)
    {
        var runs = new List<PlannedRun>();
        var seen = new HashSet<string>();
        // File-major: a stopped or partly finished evaluate stage covers every winner on the same images,
        // so a partial table still compares like with like.
        var ws = winners.ToList();
        var dataKeys = s.DataOptionKeys;
        foreach (var seed in s.Seeds)
            foreach (var file in s.Evaluate)
                foreach (var w in ws)
                {
                    var node = RunSpecJson.ToNode(w.Spec with { MuoninrVersion = null });
                    SetData(node, file, s.Base, dataKeys);
                    Set(node, "seed", seed);
                    var run = Plan(node, "evaluate", w.Grid, presets, $"winner {w.ConfigKey}", file, dataKeys);
                    if (seen.Add(run.Id)) runs.Add(run);
                }
        return runs;
    }

    // data = the entry's file; every data option back to the base's value (or unset), then the entry's own.
    private static void SetData(JsonObject node, SweepData entry, JsonObject baseSpec, IReadOnlyList<string> dataKeys)
    {
        Set(node, "data", entry.Path);
        if (dataKeys.Count == 0) return;
        var options = node["options"] as JsonObject;
        foreach (var k in dataKeys)
        {
            if ((baseSpec["options"] as JsonObject)?[k] is { } baseValue) Set(node, "options." + k, baseValue.DeepClone());
            else options?.Remove(k);
        }
        foreach (var (k, v) in entry.Options) Set(node, "options." + k, v?.DeepClone());
    }

    private static PlannedRun Plan(JsonObject node, string stage, string grid, Presets presets, string what, SweepData entry, IReadOnlyList<string> dataKeys)
    {
        RunSpec resolved;
        try { resolved = RunSpecResolver.Resolve(RunSpecJson.FromNode(node), presets); }
        catch (RunSpecException e) { throw new SweepSpecException(e.Field, $"Configuration {what} on {entry.Label}: {e.Message}"); }
        return new PlannedRun(Id(resolved), stage, grid, ConfigKey(resolved, dataKeys), resolved, entry.Options.Count > 0 ? entry.Label : null);
    }

    /// <summary>Stable id of a resolved spec: SHA-256 of its JSON without the version, 12 hex digits.</summary>
    public static string Id(RunSpec resolved) => Hash(RunSpecJson.Serialize(resolved with { MuoninrVersion = null }));

    /// <summary>Id of the configuration: the spec without data, seed and the options that data entries set (<paramref name="dataOptionKeys"/>).</summary>
    public static string ConfigKey(RunSpec resolved, IReadOnlyList<string>? dataOptionKeys = null)
    {
        var options = resolved.Options;
        foreach (var k in dataOptionKeys ?? []) options = options.Remove(k);
        return Hash(RunSpecJson.Serialize(resolved with { MuoninrVersion = null, Data = null, Seed = null, Options = options }));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    private static string Describe(string? model, IReadOnlyList<(string Path, JsonNode? Value)> combo)
        => (model is null ? "" : $"model.name={model} ") + string.Join(" ", combo.Select(c => $"{c.Path}={c.Value?.ToJsonString() ?? "null"}"));

    /// <summary>Sets dotted <paramref name="path"/> (see <see cref="RunSpecJson.SetPath"/>) to a value of any JSON-serialisable type.</summary>
    public static void Set(JsonObject root, string path, object? value)
    {
        try { RunSpecJson.SetPath(root, path, value as JsonNode ?? System.Text.Json.JsonSerializer.SerializeToNode(value)); }
        catch (RunSpecException e) { throw new SweepSpecException(path, e.Message); }
    }

    private static IEnumerable<IReadOnlyList<(string Path, JsonNode? Value)>> Combinations(SweepGrid g)
    {
        if (g.Axes.Count == 0) { yield return []; yield break; }
        if (g.Zip)
        {
            for (int i = 0; i < g.Axes[0].Values.Count; i++) yield return g.Axes.Select(a => (a.Path, a.Values[i])).ToList();
            yield break;
        }
        var idx = new int[g.Axes.Count];
        while (true)
        {
            yield return g.Axes.Select((a, k) => (a.Path, a.Values[idx[k]])).ToList();
            int d = g.Axes.Count - 1;
            while (d >= 0 && ++idx[d] == g.Axes[d].Values.Count) { idx[d] = 0; d--; }
            if (d < 0) yield break;
        }
    }
}
