using System.Runtime.InteropServices;

namespace MuonInr.Kernels;

/// <summary>
/// SGEMM through a native CBLAS (<c>cblas_sgemm</c>) found at run time with <see cref="NativeLibrary"/>:
/// OpenBLAS, MKL, BLIS, a reference CBLAS, or Apple Accelerate.
/// <para>Threads: where the library can be told (OpenBLAS, MKL, BLIS), it runs with MuonInr's thread count,
/// <see cref="WorkerPool.Degree"/>, re-applied whenever that changes. Otherwise <c>MUONINR_THREADS=1</c> (a sweep's
/// run beside others) would leave OpenBLAS on every core: runs would oversubscribe the machine, and the
/// <c>auto</c> calibration would compare one managed thread against all of OpenBLAS's. The library's own
/// variable (<c>OPENBLAS_NUM_THREADS</c>, <c>MKL_NUM_THREADS</c>, <c>BLIS_NUM_THREADS</c>, <c>OMP_NUM_THREADS</c>)
/// is left in charge only when it is set and MuonInr's count was not asked for (no <c>MUONINR_THREADS</c>, no
/// <see cref="WorkerPool.Degree"/> assigned).</para>
/// </summary>
public sealed unsafe class NativeBlasGemm : IGemmProvider
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>Library names tried in order.</summary>
    public static readonly string[] Candidates =
    [
        "libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.3.so", "libopenblas.dylib",
        "libmkl_rt.so.2", "libmkl_rt.so", "mkl_rt.2.dll",
        "libblis.so.4", "libblis.so",
        "libcblas.so.3", "libblas.so.3",
        "/System/Library/Frameworks/Accelerate.framework/Accelerate",
        "openblas.dll", "libopenblas.dll",
    ];

    private readonly delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly NativeBlasThreads _threads;
    private readonly bool _ownVariableSet;
    private int _appliedThreads; // 0: not applied yet

    private NativeBlasGemm(nint function, string library, string? version, NativeBlasThreads threads)
    {
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)function;
        Library = library;
        Version = version;
        _threads = threads;
        _ownVariableSet = NativeBlasThreads.LibraryVariables.Any(v => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(v)));
        string file = Path.GetFileName(library).ToLowerInvariant();
        Name = file.Contains("openblas") ? "openblas" : file.Contains("mkl") ? "mkl" : file.Contains("blis") ? "blis"
            : file.Contains("accelerate") ? "accelerate" : "cblas";
        ApplyThreads();
    }

    /// <summary>Whether this library's thread count can be set (OpenBLAS, MKL, BLIS).</summary>
    public bool ControlsThreads => _threads.CanSet;

    /// <summary>
    /// The library's own count of threads as it reports it now (OpenBLAS, MKL, BLIS), or null where it has no
    /// such function (a reference CBLAS runs on one thread).
    /// </summary>
    public int? Threads => _threads.Get();

    /// <summary>
    /// Whether the library runs with <see cref="WorkerPool.Degree"/> threads: it can be told, and either MuonInr's
    /// count was asked for (<c>MUONINR_THREADS</c> or an assigned <see cref="WorkerPool.Degree"/>) or none of the
    /// library's own thread variables is set.
    /// </summary>
    public bool FollowsWorkerPool => _threads.CanSet && (WorkerPool.RequestedDegree is not null || !_ownVariableSet);

    // Tells the library WorkerPool.Degree when it follows the pool and the degree changed since the last call:
    // one integer comparison per product otherwise.
    private void ApplyThreads()
    {
        int degree = WorkerPool.Degree;
        if (degree == _appliedThreads || !FollowsWorkerPool) return;
        _threads.Set(degree);
        _appliedThreads = degree;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The library that was loaded.</summary>
    public string Library { get; }

    /// <summary>
    /// The library's own description when it offers one (OpenBLAS: <c>openblas_get_config()</c>, e.g.
    /// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"), else null. Part of the
    /// <see cref="GemmCalibrationKey"/>: an upgraded BLAS is measured again.
    /// </summary>
    public string? Version { get; }

    /// <summary>Finds a CBLAS; returns false with the reason (every library tried) when none is usable.</summary>
    public static bool TryCreate(out NativeBlasGemm? provider, out string? reason)
    {
        var tried = new List<string>();
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) { tried.Add($"{name} (not found)"); continue; }
            if (NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var fn))
            {
                provider = new NativeBlasGemm(fn, name, ReadVersion(handle), NativeBlasThreads.Find(handle));
                reason = null;
                return true;
            }
            tried.Add($"{name} (no cblas_sgemm)");
        }
        provider = null;
        reason = "No native BLAS with cblas_sgemm was found; tried " + string.Join(", ", tried)
            + ". On Debian/Ubuntu: apt-get install libopenblas0-pthread.";
        return false;
    }

    private static string? ReadVersion(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "openblas_get_config", out var fn)) return null;
        try { return Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)fn)())?.Trim(); }
        catch (Exception e) when (e is not OutOfMemoryException) { return null; }
    }

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        ApplyThreads();
        fixed (float* pc = c)
        {
            if (k == 0)
            {
                // Some BLAS builds reject k = 0 or still read A/B; the result is just beta·C.
                for (int i = 0; i < m; i++)
                {
                    var row = new Span<float>(pc + (long)i * ldc, n);
                    if (beta == 0f) row.Clear(); else TensorPrimitives.Multiply(row, beta, row);
                }
                return;
            }
            fixed (float* pa = a) fixed (float* pb = b)
                _sgemm(RowMajor, transA ? Trans : NoTrans, transB ? Trans : NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
