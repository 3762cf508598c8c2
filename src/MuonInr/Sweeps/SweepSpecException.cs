namespace MuonInr.Sweeps;

/// <summary>A sweep spec that cannot be run; the message names the field (one line).</summary>
/// <param name="field">Dotted path of the offending field ("axes.optimizer.lr", "data.tune[2]", …).</param>
/// <param name="message">One line naming the field, the value and what is accepted.</param>
public sealed class SweepSpecException(string field, string message) : ArgumentException(message)
{
    /// <summary>The offending field.</summary>
    public string Field { get; } = field;
}
