namespace MuonInr.Kernels;

/// <summary>Resolves GEMM providers by name (<c>auto</c>, <c>managed</c>, <c>native</c>, <c>reference</c>).</summary>
public static class GemmProviders
{
    private static ManagedGemm? _managed;
    private static NativeBlasGemm? _native;
    private static string? _nativeFailure;
    private static bool _nativeProbed;
    private static readonly object Gate = new();

    /// <summary>The process-wide managed provider (widest instruction set).</summary>
    public static ManagedGemm Managed
    {
        get { lock (Gate) return _managed ??= new ManagedGemm(); }
    }

    /// <summary>The native BLAS provider, or null (see <see cref="NativeUnavailableReason"/>).</summary>
    public static NativeBlasGemm? TryNative()
    {
        lock (Gate)
        {
            if (!_nativeProbed)
            {
                _nativeProbed = true;
                NativeBlasGemm.TryCreate(out _native, out _nativeFailure);
            }
            return _native;
        }
    }

    /// <summary>Why no native BLAS is available (null when one is).</summary>
    public static string? NativeUnavailableReason { get { TryNative(); return _nativeFailure; } }

    /// <summary>Reads <c>MUONINR_BLAS</c> (default <c>auto</c>) and returns the matching provider.</summary>
    public static IGemmProvider FromEnvironment()
        => FromName(Environment.GetEnvironmentVariable("MUONINR_BLAS") ?? "auto");

    // Lazy and thread-safe: the first use of `auto` (usually the first GEMM of the process) decides once,
    // so every product of a process, and two runs compared bit for bit in one process, use one provider.
    private static readonly Lazy<GemmDecision> AutoDecisionLazy = new(DecideAuto, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// What <c>auto</c> chose and why: the managed kernels without measuring when no native BLAS loads;
    /// otherwise the faster of the two on a small real training step (<see cref="GemmCalibrationStep"/>), measured once per machine and cached
    /// (<see cref="GemmCalibration"/>; ties within 3 % go to the managed kernels). Computed on first use.
    /// </summary>
    public static GemmDecision AutoDecision => AutoDecisionLazy.Value;

    /// <summary>The provider <c>auto</c> picks (see <see cref="AutoDecision"/>).</summary>
    public static IGemmProvider Auto() => AutoDecision.Provider;

    /// <summary>Returns the provider for <paramref name="name"/>; throws with the accepted names otherwise.</summary>
    public static IGemmProvider FromName(string name) => FromName(name, Auto);

    /// <summary>
    /// <see cref="FromName(string)"/> with <c>auto</c> resolved by <paramref name="auto"/>: the explicit names
    /// (<c>managed</c>, <c>native</c>, <c>reference</c>) never call it, so they never calibrate.
    /// </summary>
    internal static IGemmProvider FromName(string name, Func<IGemmProvider> auto) => name.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => auto(),
        "managed" => Managed,
        "native" => TryNative() ?? throw new InvalidOperationException(_nativeFailure),
        "reference" => new GemmReference(),
        _ => throw new ArgumentException($"Unknown GEMM provider '{name}'; expected auto, managed, native or reference."),
    };

    private static GemmDecision DecideAuto()
    {
        var managed = Managed;
        if (TryNative() is not { } native)
            return new GemmDecision { Provider = managed, Summary = $"{managed.Name}: no native BLAS found, nothing to compare" };
        try
        {
            string? folder = GemmDecisionCache.DefaultDirectory();
            var decision = GemmCalibration.Decide(managed, native, GemmCalibrationKey.Current(managed, native),
                folder is null ? null : new GemmDecisionCache(folder),
                new GemmCalibrationOptions { StepTimer = p => GemmCalibrationStep.Seconds(p) });
            // A cache that cannot be written costs a measurement per process, nothing else: one line, on request.
            if (decision.CacheProblem is not null && Environment.GetEnvironmentVariable("MUONINR_DEBUG") is not null)
                Console.Error.WriteLine($"debug: GEMM calibration not cached: {decision.CacheProblem}");
            return decision;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Calibration must never fail a run: fall back to the provider with no external dependency.
            return new GemmDecision { Provider = managed, Summary = $"{managed.Name}: calibration failed ({e.GetType().Name}: {e.Message})" };
        }
    }
}
