using System.Text.Json.Nodes;

namespace MuonInr.Sweeps;

/// <summary>
/// One data entry of a sweep: a file (or "generated") and the task options that define the signal taken
/// from it — an audio segment (<c>start</c>, <c>seconds</c>), CT measurement noise (<c>noise_tau</c>), a
/// crop. Written in the spec as a path, or as <c>{ file: PATH, options: { start: 4 } }</c>. Such options
/// belong to the signal, not to the configuration: they are left out of the configuration key (so a
/// configuration tuned over several segments is one configuration), and the evaluate stage replaces the
/// winner's values with the evaluate entry's (keys an entry does not set get the base's value).
/// </summary>
/// <param name="Path">Absolute path of the file, or "generated".</param>
/// <param name="Options">Task options of this signal, in file order (snake_case names as in RunSpec.options).</param>
public sealed record SweepData(string Path, IReadOnlyList<KeyValuePair<string, JsonNode?>> Options)
{
    /// <summary>An entry that is just a file.</summary>
    public SweepData(string path) : this(path, []) { }

    /// <summary>File name, then the options: "gt_bach.wav start=4 seconds=0.5".</summary>
    public string Label => LabelOf(Path, Options.Select(o => (o.Key, o.Value?.ToJsonString())));

    /// <summary>The label of a run from its data file and the values of the sweep's data options.</summary>
    public static string LabelOf(string? path, IEnumerable<(string Key, string? Value)> options)
    {
        string name = path is null or "generated" ? path ?? "" : System.IO.Path.GetFileName(path);
        var parts = options.Select(o => $"{o.Key}={Trim(o.Value)}").ToList();
        return parts.Count == 0 ? name : $"{name} {string.Join(" ", parts)}";
    }

    private static string Trim(string? json) => json is null ? "null" : json.Trim('"');
}
