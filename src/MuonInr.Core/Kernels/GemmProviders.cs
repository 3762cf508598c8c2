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

    /// <summary>Returns the provider for <paramref name="name"/>; throws with the accepted names otherwise.</summary>
    public static IGemmProvider FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => (IGemmProvider?)TryNative() ?? Managed,
        "managed" => Managed,
        "native" => TryNative() ?? throw new InvalidOperationException(_nativeFailure),
        "reference" => new GemmReference(),
        _ => throw new ArgumentException($"Unknown GEMM provider '{name}'; expected auto, managed, native or reference."),
    };
}
