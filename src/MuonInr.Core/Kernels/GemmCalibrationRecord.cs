namespace MuonInr.Kernels;

/// <summary>
/// A measured <see cref="GemmCalibration"/> decision as stored in the cache file (JSON, one per machine).
/// </summary>
/// <param name="Format">File format version (<see cref="CurrentFormat"/>); another value is ignored and rewritten.</param>
/// <param name="Key">What the decision depends on; another key means measure again.</param>
/// <param name="Chosen">The chosen provider's <see cref="IGemmProvider.Name"/>.</param>
/// <param name="Summary">Why, in one line, without the cache note (see <see cref="GemmDecision.Reason"/>).</param>
/// <param name="MeasuredAt">When it was measured (UTC).</param>
/// <param name="Timings">Best time per provider per shape.</param>
public sealed record GemmCalibrationRecord(int Format, GemmCalibrationKey Key, string Chosen, string Summary, DateTimeOffset MeasuredAt, IReadOnlyList<GemmShapeTiming> Timings)
{
    /// <summary>The format this build writes and accepts.</summary>
    public const int CurrentFormat = 1;
}
