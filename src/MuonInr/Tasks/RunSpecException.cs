namespace MuonInr.Tasks;

/// <summary>
/// A RunSpec (from a file, the command line or code) that cannot be run; the message names the field. Tasks
/// throw it for their own options (options.crop, options.inpaint, …) so the CLI can name the flag.
/// </summary>
/// <param name="field">Dotted field path ("model.hidden", "options.projections", …).</param>
/// <param name="message">One line naming the field, the value and what is accepted.</param>
public sealed class RunSpecException(string field, string message) : ArgumentException(OneLine(message))
{
    /// <summary>The offending field.</summary>
    public string Field { get; } = field;

    /// <summary>The message as one line: control characters (from values the user typed or a file held) escaped.</summary>
    public static string OneLine(string message)
    {
        if (!message.Any(char.IsControl)) return message;
        var sb = new System.Text.StringBuilder(message.Length + 8);
        foreach (char c in message)
            sb.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ when char.IsControl(c) => $"\\u{(int)c:x4}", _ => c.ToString() });
        return sb.ToString();
    }
}
