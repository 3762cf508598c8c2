namespace MuonInr.Kernels;

/// <summary>
/// Splits row ranges into a fixed number of contiguous chunks and runs them on <see cref="WorkerPool"/>
/// (the GEMM's threads, so the two never compete for cores). The
/// partition depends only on the row count and the configured parallelism, never on timing, so
/// per-chunk partial reductions combined in chunk order give the same bits on every run.
/// </summary>
public static class RowParallel
{
    /// <summary>
    /// Chunks for elementwise kernels: the worker pool's degree, or 1 while a native BLAS is the GEMM
    /// provider (its own threads keep spinning after each call and would starve ours).
    /// </summary>
    public static int Degree => Gemm.Provider is NativeBlasGemm ? 1 : WorkerPool.Degree;

    /// <summary>Rows below which a kernel runs on the calling thread.</summary>
    public const int MinElementsPerChunk = 1 << 15;

    /// <summary>Number of chunks used for <paramref name="rows"/> rows of <paramref name="columns"/> elements.</summary>
    public static int ChunkCount(int rows, int columns)
    {
        long elements = (long)rows * Math.Max(1, columns);
        int byWork = (int)Math.Min(Degree, Math.Max(1, elements / MinElementsPerChunk));
        return Math.Max(1, Math.Min(byWork, rows));
    }

    /// <summary>Row range [start, end) of chunk <paramref name="chunk"/> out of <paramref name="chunks"/>.</summary>
    public static (int Start, int End) Range(int rows, int chunks, int chunk)
        => ((int)((long)rows * chunk / chunks), (int)((long)rows * (chunk + 1) / chunks));

    /// <summary>
    /// Runs <paramref name="body"/>(chunk, start, end) over every chunk of <see cref="ChunkCount"/>. A
    /// kernel that sizes per-chunk buffers must instead call <see cref="ChunkCount"/> once and pass the
    /// result to <see cref="ForChunks"/>: the degree may change in between.
    /// </summary>
    public static void For(int rows, int columns, Action<int, int, int> body)
        => ForChunks(rows, ChunkCount(rows, columns), body);

    /// <summary>
    /// Runs <paramref name="body"/>(chunk, start, end) for chunk in [0, <paramref name="chunks"/>): exactly
    /// the chunk count the caller sized its buffers for, whatever <see cref="Degree"/> is now.
    /// </summary>
    public static void ForChunks(int rows, int chunks, Action<int, int, int> body)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunks, Math.Max(1, rows));
        if (chunks == 1) { body(0, 0, rows); return; }
        WorkerPool.Run(chunks, c =>
        {
            var (s, e) = Range(rows, chunks, c);
            body(c, s, e);
        });
    }
}
