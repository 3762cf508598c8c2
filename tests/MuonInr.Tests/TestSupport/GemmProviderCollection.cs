namespace MuonInr.Tests.TestSupport;

/// <summary>
/// Tests that swap the process-wide <see cref="MuonInr.Kernels.Gemm.Provider"/> (the bench suites install a
/// recording or a forced-ISA provider for a while) run alone: a test running beside them that trains twice
/// in this process and compares the bits (resume, signals, sweeps) would otherwise see the provider change
/// under one of its runs — an AVX2 tile rounds differently from an AVX-512 one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GemmProviderCollection
{
    public const string Name = "Gemm provider";
}
