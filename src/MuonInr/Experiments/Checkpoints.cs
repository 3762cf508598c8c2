using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuonInr.Nn;
using MuonInr.Optim;

using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>
/// A training checkpoint as one consistent set (ARCHITECTURE decision 17): <c>checkpoint/</c> in the run
/// directory holds model.safetensors, optimizer.safetensors and checkpoint.json (the manifest: step, the
/// SHA-256 of each tensor file, the resolved RunSpec, and whether training diverged). A new checkpoint is
/// written into <c>checkpoint.tmp/</c> and swapped in by directory renames, so a kill at any moment leaves
/// either the old set or the new one, never a mix; loading verifies every hash and the spec.
/// </summary>
public static class Checkpoints
{
    /// <summary>Subdirectory of the run directory holding the checkpoint.</summary>
    public const string Folder = "checkpoint";

    /// <summary>Writes the checkpoint of <paramref name="step"/> into <paramref name="runDir"/>/checkpoint.</summary>
    public static void Save(string runDir, Module model, Optimizer optimizer, int step, RunSpec spec, double[] initialStableRanks, bool diverged = false)
    {
        string final = Path.Combine(runDir, Folder), tmp = final + ".tmp", old = final + ".old";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        Directory.CreateDirectory(tmp);
        model.Save(Path.Combine(tmp, "model.safetensors"));
        optimizer.SaveState(Path.Combine(tmp, "optimizer.safetensors"));
        var manifest = new JsonObject
        {
            ["step"] = step,
            ["diverged"] = diverged,
            ["sha256"] = new JsonObject
            {
                ["model.safetensors"] = Hash(Path.Combine(tmp, "model.safetensors")),
                ["optimizer.safetensors"] = Hash(Path.Combine(tmp, "optimizer.safetensors")),
            },
            ["initial_stable_ranks"] = new JsonArray([.. initialStableRanks.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["spec"] = RunSpecJson.ToNode(spec),
        };
        File.WriteAllText(Path.Combine(tmp, "checkpoint.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(old)) Directory.Delete(old, true);
        if (Directory.Exists(final)) Directory.Move(final, old);
        Directory.Move(tmp, final);
        if (Directory.Exists(old)) Directory.Delete(old, true);
    }

    private static string Hash(string file)
    {
        using var s = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>The checkpoint folder of a run directory (the previous set when a kill interrupted a swap), or null.</summary>
    public static string? Locate(string runDir)
    {
        string final = Path.Combine(runDir, Folder), old = final + ".old";
        if (File.Exists(Path.Combine(final, "checkpoint.json"))) return final;
        if (File.Exists(Path.Combine(old, "checkpoint.json"))) return old;
        return null;
    }

    /// <summary>
    /// Restores the checkpoint of <paramref name="runDir"/> into <paramref name="model"/> and
    /// <paramref name="optimizer"/> after verifying its manifest, hashes and spec against
    /// <paramref name="spec"/> (the resuming run); returns its step and the run's stable ranks at step 0.
    /// </summary>
    public static (int Step, double[] InitialStableRanks) Load(string runDir, Module model, Optimizer optimizer, RunSpec spec)
    {
        string dir = Locate(runDir)
            ?? throw new FileNotFoundException($"No checkpoint in '{runDir}' (checkpoint/checkpoint.json is missing; was the run started with --checkpoint-every, or stopped by a signal?).");
        string meta = Path.Combine(dir, "checkpoint.json");
        int step; bool diverged; RunSpec saved; JsonObject hashes; double[] initial;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(meta)) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            step = root["step"]?.GetValue<int>() ?? throw new InvalidDataException("no step");
            diverged = root["diverged"]?.GetValue<bool>() ?? false;
            hashes = root["sha256"] as JsonObject ?? throw new InvalidDataException("no sha256");
            initial = (root["initial_stable_ranks"] as JsonArray)?.Select(v => v!.GetValue<double>()).ToArray() ?? [];
            saved = RunSpecJson.FromNode(root["spec"] as JsonObject ?? throw new InvalidDataException("no spec"));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException or RunSpecException)
        {
            throw new InvalidDataException($"Checkpoint manifest '{meta}' is malformed ({e.Message.TrimEnd('.')}).");
        }
        if (step < 0) throw new InvalidDataException($"Checkpoint manifest '{meta}' gives step {step}; a step is ≥ 0.");
        if (step > spec.Steps) throw new ArgumentException($"The checkpoint in '{runDir}' is at step {step}, beyond steps {spec.Steps}; resume with --steps {step} or more.");
        if (diverged)
            throw new ArgumentException($"The run in '{runDir}' diverged (non-finite loss) after step {step}; its checkpoint keeps the last finite parameters for inspection and would diverge again. Start a new run with a lower learning rate.");
        var diffs = RunSpecResolver.TrajectoryDifferences(saved, spec).ToList();
        if (diffs.Count > 0)
            throw new ArgumentException($"Cannot resume '{runDir}' with different settings: {string.Join("; ", diffs.Take(4).Select(d => $"{d.Field} was {d.Was}, now {d.Now}"))}. Only steps, eval_every, rank_every and checkpoint_every may change on resume.");
        foreach (var file in new[] { "model.safetensors", "optimizer.safetensors" })
        {
            string path = Path.Combine(dir, file);
            if (!File.Exists(path)) throw new InvalidDataException($"Checkpoint file '{path}' is missing.");
            if ((string?)hashes[file] != Hash(path))
                throw new InvalidDataException($"Checkpoint file '{path}' is corrupt (its SHA-256 does not match checkpoint.json).");
        }
        try { model.Load(Path.Combine(dir, "model.safetensors")); }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw new InvalidDataException($"The checkpoint in '{runDir}' does not fit this model ({e.Message.TrimEnd('.')}).");
        }
        optimizer.LoadState(Path.Combine(dir, "optimizer.safetensors"));
        return (step, initial);
    }
}
