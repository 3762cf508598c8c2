namespace MuonInr.Tasks;

/// <summary>
/// A RunSpec (from a file, the command line or code) that cannot be run; the message names the field. Tasks
/// throw it for their own options (options.crop, options.inpaint, …) so the CLI can name the flag.
/// </summary>
/// <param name="field">Dotted field path ("model.hidden", "options.projections", …).</param>
/// <param name="message">One line naming the field, the value and what is accepted.</param>
public sealed class RunSpecException(string field, string message) : ArgumentException(message)
{
    /// <summary>The offending field.</summary>
    public string Field { get; } = field;
}
