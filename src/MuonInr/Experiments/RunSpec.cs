using System.Collections.Immutable;
using System.Text.Json;
using MuonInr.Fields;

namespace MuonInr.Experiments;

/// <summary>
/// One run, completely described (ARCHITECTURE decision 13): task, data, model, optimizer, schedule,
/// steps, seed, chunk, evaluation and output settings, and the task's own options. A spec as the user
/// gives it has only the fields they set (the rest null); <see cref="RunSpecResolver.Resolve"/> fills
/// every default from the presets table and validates, and everything downstream reads the resolved
/// spec only. config.json in a run directory is the resolved spec (<see cref="RunSpecJson"/>), and
/// <c>muoninr run config.json</c> repeats the run bit for bit on the same machine and GEMM provider.
/// </summary>
public sealed record RunSpec
{
    /// <summary>Task name (<see cref="MuonInr.Tasks.TaskRegistry"/>).</summary>
    public string? Task { get; init; }
    /// <summary>Input file, or "generated" for the task's built-in test signal.</summary>
    public string? Data { get; init; }
    /// <summary>Architecture and its hyperparameters.</summary>
    public ModelSpec Model { get; init; } = new();
    /// <summary>Optimizer, learning rates and schedule.</summary>
    public OptimizerSpec Optimizer { get; init; } = new();
    /// <summary>Training steps (each a full-batch step).</summary>
    public int? Steps { get; init; }
    /// <summary>Seed of initialisation, splits and noise.</summary>
    public ulong? Seed { get; init; }
    /// <summary>Rows per gradient chunk (0 = every row at once).</summary>
    public int? Chunk { get; init; }
    /// <summary>Evaluate the task's metric every this many steps (and at the end).</summary>
    public int? EvalEvery { get; init; }
    /// <summary>Record stable ranks every this many steps (0 = at start and end only).</summary>
    public int? RankEvery { get; init; }
    /// <summary>Save a checkpoint every this many steps and at the end (0 = never).</summary>
    public int? CheckpointEvery { get; init; }
    /// <summary>The task's own options by snake_case name (<see cref="MuonInr.Tasks.IFitTask.Options"/>).</summary>
    public ImmutableSortedDictionary<string, JsonElement> Options { get; init; } = ImmutableSortedDictionary<string, JsonElement>.Empty;
    /// <summary>MuonInr version that resolved the spec (written to config.json; informational).</summary>
    public string? MuoninrVersion { get; init; }

    /// <summary>A copy with task option <paramref name="name"/> set to <paramref name="value"/> (any JSON-serialisable value, null included).</summary>
    public RunSpec WithOption(string name, object? value) => this with { Options = Options.SetItem(name, JsonSerializer.SerializeToElement(value)) };

    /// <summary>The version string of this build of MuonInr.</summary>
    public static string CurrentVersion => typeof(RunSpec).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
