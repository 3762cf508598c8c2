using System.Text.Json;
using MuonInr.Nn;
using MuonInr.Optim;

namespace MuonInr.Experiments;

/// <summary>
/// A training checkpoint in a run directory: model.safetensors (parameters), optimizer.safetensors
/// (state buffers and counters) and checkpoint.json (the step). Each file is replaced atomically.
/// </summary>
public static class Checkpoints
{
    /// <summary>Writes the checkpoint of <paramref name="step"/> into <paramref name="dir"/>.</summary>
    public static void Save(string dir, Module model, Optimizer optimizer, int step)
    {
        Directory.CreateDirectory(dir);
        model.Save(Path.Combine(dir, "model.safetensors"), overwrite: true);
        optimizer.SaveState(Path.Combine(dir, "optimizer.safetensors"), overwrite: true);
        string tmp = Path.Combine(dir, "checkpoint.json.tmp");
        File.WriteAllText(tmp, JsonSerializer.Serialize(new { step }));
        File.Move(tmp, Path.Combine(dir, "checkpoint.json"), overwrite: true);
    }

    /// <summary>Restores a checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>; returns its step.</summary>
    public static int Load(string dir, Module model, Optimizer optimizer)
    {
        string meta = Path.Combine(dir, "checkpoint.json");
        if (!File.Exists(meta))
            throw new FileNotFoundException($"No checkpoint in '{dir}' (checkpoint.json is missing; was the run started with --checkpoint-every?).", meta);
        int step;
        try { step = JsonDocument.Parse(File.ReadAllText(meta)).RootElement.GetProperty("step").GetInt32(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Checkpoint '{meta}' is malformed: {e.Message}");
        }
        try
        {
            model.Load(Path.Combine(dir, "model.safetensors"));
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw new ArgumentException($"The checkpoint in '{dir}' does not fit this model ({e.Message}); resume with the same --model, --hidden, --layers and encodings.");
        }
        optimizer.LoadState(Path.Combine(dir, "optimizer.safetensors"));
        return step;
    }
}
