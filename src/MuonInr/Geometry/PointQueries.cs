using MuonInr.Kernels;

namespace MuonInr.Geometry;

/// <summary>
/// Splits a batch of independent point queries over <see cref="RowParallel"/>'s workers. Query costs vary
/// a lot (points near dense surface regions visit more BVH nodes), so the batch is cut into several
/// chunks per worker rather than one; results never depend on the partition.
/// </summary>
internal static class PointQueries
{
    private const int MinPointsPerChunk = 256;

    /// <summary>Runs <paramref name="body"/>(start, end) over [0, <paramref name="count"/>) in chunks.</summary>
    public static void For(int count, Action<int, int> body)
    {
        if (count == 0) return;
        int chunks = Math.Clamp(count / MinPointsPerChunk, 1, 8 * RowParallel.Degree);
        RowParallel.ForChunks(count, chunks, (_, start, end) => body(start, end));
    }

    /// <summary>output[i] = query(point i) for xyz-interleaved <paramref name="points"/>, in parallel chunks.</summary>
    public static unsafe void Map(ReadOnlySpan<float> points, Span<float> output, Func<Vector3d, double> query, string what)
    {
        CheckShapes(points.Length, output.Length, what);
        fixed (float* pp = points) fixed (float* po = output)
        {
            float* p = pp, o = po;
            For(output.Length, (start, end) =>
            {
                for (int i = start; i < end; i++) o[i] = (float)query(new Vector3d(p[3 * i], p[3 * i + 1], p[3 * i + 2]));
            });
        }
    }

    /// <summary>The same in double precision (metrics).</summary>
    public static unsafe void Map(ReadOnlySpan<double> points, Span<double> output, Func<Vector3d, double> query, string what)
    {
        CheckShapes(points.Length, output.Length, what);
        fixed (double* pp = points) fixed (double* po = output)
        {
            double* p = pp, o = po;
            For(output.Length, (start, end) =>
            {
                for (int i = start; i < end; i++) o[i] = query(new Vector3d(p[3 * i], p[3 * i + 1], p[3 * i + 2]));
            });
        }
    }

    /// <summary>Checks a batch: xyz-interleaved points and one output per point.</summary>
    public static void CheckShapes(int pointValues, int outputs, string what)
    {
        if (pointValues % 3 != 0) throw new ArgumentException($"{what}: points are xyz interleaved, but {pointValues} values is not a multiple of 3.");
        if (outputs != pointValues / 3) throw new ArgumentException($"{what}: {pointValues / 3} points need {pointValues / 3} outputs, got {outputs}.");
    }
}
