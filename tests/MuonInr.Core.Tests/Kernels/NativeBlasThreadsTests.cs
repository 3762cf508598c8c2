using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;

namespace MuonInr.Core.Tests.Kernels;

/// <summary>The native BLAS runs with MuonInr's thread count (a sweep's MUONINR_THREADS=1 must hold for OpenBLAS too).</summary>
[Collection(WorkerPoolDegreeCollection.Name)]
public class NativeBlasThreadsTests
{
    [NativeBlasFact]
    public void The_native_library_follows_the_worker_pool_degree()
    {
        var native = GemmProviders.TryNative()!;
        if (!native.ControlsThreads)
        {
            // A reference CBLAS has no thread functions: nothing to follow, nothing reported.
            Assert.False(native.FollowsWorkerPool);
            return;
        }
        int saved = WorkerPool.Degree;
        var a = new float[12]; var b = new float[12]; var c = new float[9];
        try
        {
            // An assigned degree is an explicit request: it wins over OPENBLAS_NUM_THREADS and the like.
            WorkerPool.Degree = 1;
            Assert.True(native.FollowsWorkerPool);
            native.Sgemm(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c, 3);
            Assert.Equal(1, native.Threads);
            WorkerPool.Degree = WorkerPool.MaxDegree;
            native.Sgemm(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c, 3);
            Assert.Equal(WorkerPool.MaxDegree, native.Threads);
            WorkerPool.Degree = 1;
            native.Sgemm(true, false, 3, 3, 4, 1f, a, 3, b, 3, 0f, c, 3);
            Assert.Equal(1, native.Threads);
        }
        finally
        {
            WorkerPool.Degree = saved;
            native.Sgemm(false, false, 3, 3, 4, 1f, a, 4, b, 3, 0f, c, 3);
        }
        Assert.Equal(saved, native.Threads);
    }
}
