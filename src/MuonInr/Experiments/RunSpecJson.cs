using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MuonInr.Fields;

using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>
/// config.json ⇄ <see cref="RunSpec"/>: snake_case names, nulls omitted, numbers written round-trip. The
/// reader is strict: an unknown field, a value of the wrong type or a malformed file fails with one line
/// naming the field (<see cref="RunSpecException"/>), never a .NET type name.
/// </summary>
public static class RunSpecJson
{
    /// <summary>Options used to write specs (and summaries) in run directories.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Keep ·, √, σ and friends readable in config.json and summary.json (files, not HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The spec as JSON text.</summary>
    public static string Serialize(RunSpec spec) => JsonSerializer.Serialize(spec, Options) + "\n";

    /// <summary>The spec as a JSON object (nulls omitted).</summary>
    public static JsonObject ToNode(RunSpec spec) => JsonSerializer.SerializeToNode(spec, Options)!.AsObject();

    /// <summary>Reads a spec from a file; <paramref name="path"/> is named in errors.</summary>
    public static RunSpec ReadFile(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"Run spec '{path}' does not exist.", path);
        var info = new FileInfo(path);
        if (info.Length > 16 << 20) throw new RunSpecException("", $"Run spec '{path}' is {info.Length} bytes; a RunSpec is a few KB (limit 16 MB).");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses a spec from JSON text.</summary>
    public static RunSpec Parse(string json, string source = "RunSpec")
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e)
        {
            throw new RunSpecException("", $"{source} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}");
        }
        if (node is not JsonObject obj) throw new RunSpecException("", $"{source} must be a JSON object {{\"task\": ..., \"model\": {{...}}, ...}}.");
        return (RunSpec)Bind(typeof(RunSpec), obj, "");
    }

    /// <summary>Reads a spec from a JSON object.</summary>
    public static RunSpec FromNode(JsonObject node) => (RunSpec)Bind(typeof(RunSpec), node, "");

    /// <summary>
    /// A copy of <paramref name="spec"/> with the field at dotted <paramref name="path"/> ("model.hidden",
    /// "optimizer.muon_lr", "options.projections", "steps") set to <paramref name="value"/>; an unknown
    /// field or a wrong type fails naming the field.
    /// </summary>
    public static RunSpec With(RunSpec spec, string path, JsonNode? value)
    {
        var root = ToNode(spec);
        SetPath(root, path, value);
        return FromNode(root);
    }

    /// <summary>
    /// Sets dotted <paramref name="path"/> in <paramref name="root"/> to a copy of <paramref name="value"/>,
    /// creating parent objects; a parent that exists but is not an object fails naming the path.
    /// </summary>
    public static void SetPath(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var target = root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (target[parts[i]] is not JsonObject child)
            {
                if (target[parts[i]] is not null)
                    throw new RunSpecException(path, $"'{path}': {string.Join('.', parts[..(i + 1)])} is not an object.");
                child = []; target[parts[i]] = child;
            }
            target = child;
        }
        target[parts[^1]] = value?.DeepClone();
    }

    /// <summary>Every leaf of <paramref name="o"/> as (dotted path, JSON text), depth first in file order.</summary>
    public static IEnumerable<(string Path, string Value)> Leaves(JsonObject o, string prefix = "")
    {
        foreach (var (k, v) in o)
            if (v is JsonObject c) foreach (var leaf in Leaves(c, prefix + k + ".")) yield return leaf;
            else yield return (prefix + k, v?.ToJsonString() ?? "null");
    }

    private static string FirstSentence(string m) { int i = m.IndexOf(". ", StringComparison.Ordinal); return i > 0 ? m[..(i + 1)] : m; }

    private static string SnakeName(PropertyInfo p) => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);

    private static object Bind(Type type, JsonObject obj, string prefix)
    {
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToDictionary(SnakeName);
        object result = Activator.CreateInstance(type)!;
        foreach (var (key, value) in obj)
        {
            string field = prefix + key;
            if (!props.TryGetValue(key, out var prop))
                throw new RunSpecException(field, $"Unknown field '{field}'; {(prefix.Length == 0 ? "a RunSpec" : prefix.TrimEnd('.'))} has: {string.Join(", ", props.Keys.Order())}.");
            prop.SetValue(result, Convert(prop.PropertyType, value, field));
        }
        return result;
    }

    private static object? Convert(Type type, JsonNode? value, string field)
    {
        if (type == typeof(ImmutableSortedDictionary<string, JsonElement>))
        {
            if (value is null) return ImmutableSortedDictionary<string, JsonElement>.Empty;
            if (value is not JsonObject o) throw Wrong(field, "an object of task options", value);
            var b = ImmutableSortedDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
            foreach (var (k, v) in o) b[k] = v is null ? JsonDocument.Parse("null").RootElement : JsonSerializer.SerializeToElement(v);
            return b.ToImmutable();
        }
        if (type == typeof(ModelSpec) || type == typeof(OptimizerSpec))
        {
            if (value is null) return Activator.CreateInstance(type);
            if (value is not JsonObject o) throw Wrong(field, "an object", value);
            return Bind(type, o, field + ".");
        }
        if (value is null) return null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
            return value is JsonValue v && v.TryGetValue(out string? s) ? s : throw Wrong(field, "a string", value);
        if (underlying == typeof(bool))
            return value is JsonValue v && v.TryGetValue(out bool b) ? b : throw Wrong(field, "true or false", value);
        if (underlying == typeof(double[]))
        {
            if (value is JsonArray a) return a.Select((x, i) => (double)Convert(typeof(double), x, $"{field}[{i}]")!).ToArray();
            return new[] { (double)Convert(typeof(double), value, field)! }; // one value = one for every layer
        }
        if (value is not JsonValue num || num.GetValueKind() != JsonValueKind.Number) throw Wrong(field, Describe(underlying), value);
        // Through a JsonElement, whatever the node holds (parsed text, or a long/double from YAML or code).
        var el = JsonSerializer.SerializeToElement(num);
        if (underlying == typeof(double))
            return el.TryGetDouble(out double d) && double.IsFinite(d) ? d : throw Wrong(field, "a finite number", value);
        if (underlying == typeof(int))
            return el.TryGetInt32(out int i) ? i : throw Wrong(field, "an integer", value);
        if (underlying == typeof(ulong))
            return el.TryGetUInt64(out ulong u) ? u : throw Wrong(field, "a non-negative integer", value);
        throw new InvalidOperationException($"RunSpec field type {type.Name} has no reader.");
    }

    private static string Describe(Type t) => t == typeof(double) ? "a number" : t == typeof(ulong) ? "a non-negative integer" : "an integer";

    private static RunSpecException Wrong(string field, string expected, JsonNode? value)
    {
        string text = value?.ToJsonString() ?? "null";
        if (text.Length > 60) text = text[..57] + "...";
        return new RunSpecException(field, $"{field} must be {expected}, got {text}.");
    }
}
