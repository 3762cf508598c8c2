namespace MuonInr.Kernels;

/// <summary>
/// Which GEMM provider <c>auto</c> uses and why: the result of <see cref="GemmCalibration.Decide"/> (or of
/// there being nothing to measure). See <see cref="GemmProviders.AutoDecision"/>.
/// </summary>
public sealed class GemmDecision
{
    /// <summary>The chosen provider.</summary>
    public required IGemmProvider Provider { get; init; }

    /// <summary>Why, in one line, without the cache note, e.g. "managed-avx2: 41.2 ms vs openblas 55.0 ms on the step's shapes".</summary>
    public required string Summary { get; init; }

    /// <summary>Best time per provider per shape; empty when nothing was measured.</summary>
    public IReadOnlyList<GemmShapeTiming> Timings { get; init; } = [];

    /// <summary>When the timings were measured; null when nothing was measured.</summary>
    public DateTimeOffset? MeasuredAt { get; init; }

    /// <summary>Whether the decision was read from the cache file instead of measured in this process.</summary>
    public bool FromCache { get; init; }

    /// <summary>Why the decision could not be cached (e.g. a read-only cache folder), or null.</summary>
    public string? CacheProblem { get; init; }

    /// <summary>
    /// <see cref="Summary"/> with where it came from, e.g.
    /// "managed-avx2: 41.2 ms vs openblas 55.0 ms on the step's shapes (cached 2026-12-01)".
    /// </summary>
    public string Reason
    {
        get
        {
            string origin = MeasuredAt is not { } at ? ""
                : FromCache ? $" (cached {at.UtcDateTime:yyyy-MM-dd})" : " (measured now)";
            return Summary + origin + (CacheProblem is null ? "" : $"; not cached: {CacheProblem}");
        }
    }

    /// <summary>
    /// The decision as one sentence, e.g. "auto chose managed-avx2 because 41.2 ms vs openblas 55.0 ms on the
    /// step's shapes (cached 2026-12-01)", as <c>muoninr bench</c> prints it.
    /// </summary>
    public string Sentence
    {
        get
        {
            string reason = Reason, prefix = Provider.Name + ": ";
            return $"auto chose {Provider.Name} because {(reason.StartsWith(prefix, StringComparison.Ordinal) ? reason[prefix.Length..] : reason)}";
        }
    }

    /// <summary>Sum of the best times of <paramref name="provider"/> over all shapes, in seconds (0 when not measured).</summary>
    public double TotalSeconds(string provider) => Timings.Where(t => t.Provider == provider).Sum(t => t.Seconds);
}
