using System.Runtime.InteropServices;

namespace MuonInr.Kernels;

/// <summary>
/// SGEMM through a native CBLAS (<c>cblas_sgemm</c>) found at run time with <see cref="NativeLibrary"/>:
/// OpenBLAS, MKL, BLIS, a reference CBLAS, or Apple Accelerate.
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

    private NativeBlasGemm(nint function, string library, string? version)
    {
        _sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)function;
        Library = library;
        Version = version;
        string file = Path.GetFileName(library).ToLowerInvariant();
        Name = file.Contains("openblas") ? "openblas" : file.Contains("mkl") ? "mkl" : file.Contains("blis") ? "blis"
            : file.Contains("accelerate") ? "accelerate" : "cblas";
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
                provider = new NativeBlasGemm(fn, name, ReadVersion(handle));
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
