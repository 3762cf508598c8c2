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

    /// <summary>
    /// The provider <c>auto</c> picks: the managed kernels when the CPU has AVX-512 (measured at about 2x
    /// OpenBLAS 0.3.21's AVX2 kernels on the INR shapes, docs/results.md), otherwise a native BLAS when one
    /// is found, otherwise the managed kernels.
    /// </summary>
    public static IGemmProvider Auto()
        => Managed.Isa == GemmKernelIsa.Avx512 ? Managed : (IGemmProvider?)TryNative() ?? Managed;

    /// <summary>Returns the provider for <paramref name="name"/>; throws with the accepted names otherwise.</summary>
    public static IGemmProvider FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "auto" or "" => Auto(),
        "managed" => Managed,
        "native" => TryNative() ?? throw new InvalidOperationException(_nativeFailure),
        "reference" => new GemmReference(),
        _ => throw new ArgumentException($"Unknown GEMM provider '{name}'; expected auto, managed, native or reference."),
    };
}
