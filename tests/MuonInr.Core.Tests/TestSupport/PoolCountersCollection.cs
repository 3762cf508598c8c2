namespace MuonInr.Core.Tests.TestSupport;

/// <summary>
/// Tests that read the process-wide <see cref="MuonInr.Tensors.TensorPool"/> counters run alone: other
/// test classes running in parallel would rent and return buffers in between.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PoolCountersCollection
{
    public const string Name = "TensorPool counters";
}
