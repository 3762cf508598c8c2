namespace MuonInr.Kernels;

/// <summary>Resolves GEMM providers by name (<c>auto</c>, <c>managed</c>, <c>native</c>, <c>reference</c>).</summary>
public static class GemmProviders
{
    /// <summary>Reads <c>MUONINR_BLAS</c> (default <c>auto</c>) and returns the matching provider.</summary>
    public static IGemmProvider FromEnvironment()
        => FromName(Environment.GetEnvironmentVariable("MUONINR_BLAS") ?? "auto");

    /// <summary>Returns the provider for <paramref name="name"/>; throws with the accepted names otherwise.</summary>
    public static IGemmProvider FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        // TEMPORARY until the managed SIMD provider lands (issue 2): everything maps to the reference.
        "auto" or "managed" or "native" or "reference" => new GemmReference(),
        _ => throw new ArgumentException($"Unknown GEMM provider '{name}'; expected auto, managed, native or reference."),
    };
}
