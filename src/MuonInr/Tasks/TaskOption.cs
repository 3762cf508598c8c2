using System.Globalization;
using System.Text.Json;

namespace MuonInr.Tasks;

/// <summary>The JSON kind of a task option's value.</summary>
public enum TaskOptionKind
{
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>A finite number.</summary>
    Number,
    /// <summary>true or false.</summary>
    Boolean,
    /// <summary>A string (optionally one of <see cref="TaskOption.Choices"/>).</summary>
    Text,
}

/// <summary>
/// A setting of one task (CT's projections, SISR's scale, audio's time scale, …), declared by the task:
/// the CLI makes a flag of it (<c>--name-with-dashes</c>), a RunSpec carries it under <c>options</c>,
/// the presets table holds its default, and <see cref="Check"/> validates a value with a message that
/// names the option, the value and what is accepted.
/// </summary>
/// <param name="Name">snake_case name (config.json key).</param>
/// <param name="Kind">Value kind.</param>
/// <param name="Description">One line for --help and docs.</param>
public sealed record TaskOption(string Name, TaskOptionKind Kind, string Description)
{
    /// <summary>Smallest accepted number (inclusive unless <see cref="MinExclusive"/>).</summary>
    public double? Min { get; init; }
    /// <summary>Whether <see cref="Min"/> itself is refused.</summary>
    public bool MinExclusive { get; init; }
    /// <summary>Largest accepted number (inclusive).</summary>
    public double? Max { get; init; }
    /// <summary>Whether null is accepted (meaning "off", e.g. no measurement noise).</summary>
    public bool Nullable { get; init; }
    /// <summary>Accepted strings for <see cref="TaskOptionKind.Text"/>; null = any.</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>The CLI flag of this option.</summary>
    public string Flag => "--" + Name.Replace('_', '-');

    /// <summary>Checks <paramref name="value"/>; returns null when accepted, else a message naming <paramref name="field"/>.</summary>
    public string? Check(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return Nullable ? null : $"{field} must be set ({Accepted()}), got null.";
        switch (Kind)
        {
            case TaskOptionKind.Boolean:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : $"{field} must be true or false, got {value.GetRawText()}.";
            case TaskOptionKind.Text:
                if (value.ValueKind != JsonValueKind.String) return $"{field} must be a string ({Accepted()}), got {value.GetRawText()}.";
                return Choices is null || Choices.Contains(value.GetString()!) ? null : $"{field} must be one of {string.Join(", ", Choices)}, got '{value.GetString()}'.";
            default:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double d) || !double.IsFinite(d))
                    return $"{field} must be {Accepted()}, got {value.GetRawText()}.";
                if (Kind == TaskOptionKind.Integer && (d != Math.Floor(d) || Math.Abs(d) > int.MaxValue))
                    return $"{field} must be {Accepted()}, got {value.GetRawText()}.";
                bool low = Min is { } lo && (MinExclusive ? d <= lo : d < lo), high = Max is { } hi && d > hi;
                return low || high ? $"{field} must be {Accepted()}, got {value.GetRawText()}." : null;
        }
    }

    /// <summary>What is accepted, in words ("an integer ≥ 1", "a number in (0, 1]", …).</summary>
    public string Accepted()
    {
        var ci = CultureInfo.InvariantCulture;
        string kind = Kind switch { TaskOptionKind.Integer => "an integer", TaskOptionKind.Number => "a number", TaskOptionKind.Boolean => "true or false", _ => Choices is null ? "a string" : "one of " + string.Join(", ", Choices) };
        string range = (Min, Max) switch
        {
            ({ } lo, { } hi) => string.Create(ci, $" in {(MinExclusive ? "(" : "[")}{lo}, {hi}]"),
            ({ } lo, null) => string.Create(ci, $" {(MinExclusive ? ">" : "≥")} {lo}"),
            (null, { } hi) => string.Create(ci, $" ≤ {hi}"),
            _ => "",
        };
        return kind + range + (Nullable ? " or null" : "");
    }
}
