namespace MuonInr.Core.Tests.TestSupport;

/// <summary>
/// Tests that change the process-wide <see cref="MuonInr.Kernels.WorkerPool.Degree"/> run alone: kernels
/// of tests running in parallel would see the degree change under them (per-chunk partial sums, and so
/// the last bits of reductions, depend on the chunk count).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerPoolDegreeCollection
{
    public const string Name = "WorkerPool degree";
}
