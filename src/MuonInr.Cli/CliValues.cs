using System.Globalization;

namespace MuonInr.Cli;

/// <summary>
/// One parser for the numbers users type: integers, decimals, exponents, and the spellings inf,
/// infinity, +inf, -inf and nan in any case (so "inf" and "Infinity" are treated alike). Whether a
/// non-finite value makes sense is decided where the value is used (the RunSpec validation), never by the
/// spelling. Errors name the flag and the text, never a .NET type.
/// </summary>
internal static class CliValues
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Parses a number given to <paramref name="flag"/>.</summary>
    public static double Number(string text, string flag)
    {
        string t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity" or "∞": return double.PositiveInfinity;
            case "-inf" or "-infinity" or "-∞": return double.NegativeInfinity;
            case "nan" or "+nan" or "-nan": return double.NaN;
        }
        if (double.TryParse(t, NumberStyles.Float, Ci, out double v) && double.IsFinite(v)) return v;
        throw new CliException($"{flag} takes a number (e.g. 0.001, 1e-3), got '{text}'.", CliApp.Usage);
    }

    /// <summary>Parses an integer given to <paramref name="flag"/>.</summary>
    public static long Integer(string text, string flag)
    {
        if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, Ci, out long v)) return v;
        if (double.TryParse(text.Trim(), NumberStyles.Float, Ci, out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
        throw new CliException($"{flag} takes a whole number, got '{text}'.", CliApp.Usage);
    }

    /// <summary>Parses an int-range integer given to <paramref name="flag"/> (values beyond int are refused with the range).</summary>
    public static int Int(string text, string flag)
    {
        long v = Integer(text, flag);
        if (v is < int.MinValue or > int.MaxValue) throw new CliException($"{flag} must be at most {int.MaxValue}, got '{text}'.", CliApp.Usage);
        return (int)v;
    }

    /// <summary>Parses a non-negative seed.</summary>
    public static ulong Seed(string text, string flag)
    {
        if (ulong.TryParse(text.Trim(), NumberStyles.None, Ci, out ulong v)) return v;
        throw new CliException($"{flag} takes a non-negative whole number, got '{text}'.", CliApp.Usage);
    }

    /// <summary>Parses a comma-separated list of numbers (one value, or one per layer).</summary>
    public static double[] List(string text, string flag)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new CliException($"{flag} needs at least one number, got '{text}'.", CliApp.Usage);
        return parts.Select(p => Number(p, flag)).ToArray();
    }
}
