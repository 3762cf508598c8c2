using System.Collections.Immutable;
using System.Text.Json;

namespace MuonInr.Tasks;

/// <summary>
/// What a task gets of a resolved run: the data (a path, or "generated" for the task's built-in test
/// signal), its own options (every one set: the presets filled the defaults), the seed and the chunk.
/// </summary>
/// <param name="Data">Path of the input file, or "generated".</param>
/// <param name="Options">The task's options by snake_case name (validated against the task's declarations).</param>
/// <param name="Seed">Seed of the run (splits and noise use seed + 1, seed + 2, …).</param>
/// <param name="Chunk">Rows per gradient chunk (0 = every row at once).</param>
public sealed record TaskContext(string Data, ImmutableSortedDictionary<string, JsonElement> Options, ulong Seed, int Chunk)
{
    /// <summary>The value given to the generated test signal instead of a path.</summary>
    public const string Generated = "generated";

    /// <summary>Whether the run fits the task's generated test signal.</summary>
    public bool IsGenerated => Data == Generated;

    private JsonElement Get(string name) => Options.TryGetValue(name, out var v)
        ? v : throw new InvalidOperationException($"Task option '{name}' is not set; the run was not resolved against the presets.");

    /// <summary>An integer option.</summary>
    public int Integer(string name) => Get(name).GetInt32();

    /// <summary>A number option.</summary>
    public double Number(string name) => Get(name).GetDouble();

    /// <summary>A number option that may be null ("off").</summary>
    public double? NullableNumber(string name) => Get(name) is { ValueKind: JsonValueKind.Null } ? null : Get(name).GetDouble();

    /// <summary>A boolean option.</summary>
    public bool Boolean(string name) => Get(name).GetBoolean();

    /// <summary>A string option (null when null).</summary>
    public string? Text(string name) => Get(name) is { ValueKind: JsonValueKind.Null } ? null : Get(name).GetString();
}
