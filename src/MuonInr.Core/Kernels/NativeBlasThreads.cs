using System.Runtime.InteropServices;

namespace MuonInr.Kernels;

/// <summary>
/// The thread-count functions of a loaded native BLAS, where it exports them: OpenBLAS
/// (<c>openblas_set_num_threads</c>, <c>openblas_get_num_threads</c>), MKL (<c>MKL_Set_Num_Threads</c>,
/// <c>MKL_Get_Max_Threads</c>) or BLIS (<c>bli_thread_set_num_threads</c>, <c>bli_thread_get_num_threads</c>, whose
/// count is a 64-bit <c>dim_t</c>). A library with none of them (a reference CBLAS, Accelerate) is left alone.
/// </summary>
internal readonly unsafe struct NativeBlasThreads
{
    /// <summary>Environment variables through which these libraries take their thread count.</summary>
    public static readonly string[] LibraryVariables = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"];

    private readonly delegate* unmanaged[Cdecl]<int, void> _setInt;
    private readonly delegate* unmanaged[Cdecl]<int> _getInt;
    private readonly delegate* unmanaged[Cdecl]<long, void> _setLong;
    private readonly delegate* unmanaged[Cdecl]<long> _getLong;

    private NativeBlasThreads(nint setInt, nint getInt, nint setLong, nint getLong)
    {
        _setInt = (delegate* unmanaged[Cdecl]<int, void>)setInt;
        _getInt = (delegate* unmanaged[Cdecl]<int>)getInt;
        _setLong = (delegate* unmanaged[Cdecl]<long, void>)setLong;
        _getLong = (delegate* unmanaged[Cdecl]<long>)getLong;
    }

    /// <summary>Whether a setter was found.</summary>
    public bool CanSet => _setInt != null || _setLong != null;

    /// <summary>Looks the functions up in <paramref name="handle"/>; what is missing stays null.</summary>
    public static NativeBlasThreads Find(nint handle)
    {
        nint Export(string name) => NativeLibrary.TryGetExport(handle, name, out var f) ? f : 0;
        foreach (var (set, get) in new[] { ("openblas_set_num_threads", "openblas_get_num_threads"), ("MKL_Set_Num_Threads", "MKL_Get_Max_Threads") })
            if (Export(set) is var s and not 0) return new(s, Export(get), 0, 0);
        if (Export("bli_thread_set_num_threads") is var b and not 0) return new(0, 0, b, Export("bli_thread_get_num_threads"));
        return default;
    }

    /// <summary>Sets the library's thread count (nothing where it has no setter).</summary>
    public void Set(int threads)
    {
        if (_setInt != null) _setInt(threads);
        else if (_setLong != null) _setLong(threads);
    }

    /// <summary>The library's thread count, or null where it has no getter.</summary>
    public int? Get() => _getInt != null ? _getInt() : _getLong != null ? (int)_getLong() : null;
}
