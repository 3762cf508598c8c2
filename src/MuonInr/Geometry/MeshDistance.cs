using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// Exact unsigned distance from points to a triangle mesh (the nearest point of any triangle, Ericson's
/// closest-point-on-triangle in double), accelerated by a <see cref="TriangleBvh"/> built once in the
/// constructor and traversed nearest-child-first with box-distance pruning. Thread-safe for queries.
/// Distances are in the mesh's units; batch outputs are float32.
/// Measured on Armadillo (29 170 triangles, normalized to the unit cube), 2-core AMD EPYC shared with
/// other jobs (load average ~13): BVH build 0.12 s; 1M points uniform in [−½, ½]³ 7.2 s of CPU (12 s wall);
/// 1M points within 0.01 of the surface 1.9 s CPU (2.9 s wall). Far points cost most: every leaf whose box
/// reaches within the current best distance must be opened.
/// </summary>
public sealed class MeshDistance
{
    private readonly TriangleBvh _bvh;

    /// <summary>Builds the BVH over <paramref name="mesh"/>'s triangles.</summary>
    /// <exception cref="ArgumentException">The mesh has no triangles.</exception>
    public MeshDistance(TriangleMesh mesh) : this(mesh, new TriangleBvh(mesh)) { }

    internal MeshDistance(TriangleMesh mesh, TriangleBvh bvh) { Mesh = mesh; _bvh = bvh; }

    /// <summary>The mesh queried.</summary>
    public TriangleMesh Mesh { get; }

    /// <summary>Distance from <paramref name="p"/> to the nearest point of the surface.</summary>
    public double Distance(Vector3 p) => Math.Sqrt(Nearest(new Vector3d(p.X, p.Y, p.Z), out _, out _));

    /// <summary>The nearest surface point to <paramref name="p"/>, the triangle it lies on and its distance.</summary>
    public (Vector3 Point, int Triangle, double Distance) ClosestPoint(Vector3 p)
    {
        double d2 = Nearest(new Vector3d(p.X, p.Y, p.Z), out int t, out var c);
        return (new Vector3((float)c.X, (float)c.Y, (float)c.Z), t, Math.Sqrt(d2));
    }

    /// <summary>
    /// Distances for many points in parallel: <paramref name="points"/> is xyz interleaved ([count, 3]),
    /// <paramref name="distances"/> receives one value per point.
    /// </summary>
    public void Distances(ReadOnlySpan<float> points, Span<float> distances)
        => PointQueries.Map(points, distances, q => Math.Sqrt(Nearest(q, out _, out _)), nameof(Distances));

    /// <summary>Distances for many points (xyz interleaved) into a new array.</summary>
    public float[] Distances(ReadOnlySpan<float> points)
    {
        var d = new float[points.Length / 3];
        Distances(points, d);
        return d;
    }

    /// <summary>Distances for double-precision points (xyz interleaved), in parallel, for metrics.</summary>
    internal void Distances(ReadOnlySpan<double> points, Span<double> distances)
        => PointQueries.Map(points, distances, q => Math.Sqrt(Nearest(q, out _, out _)), nameof(Distances));

    /// <summary>Squared distance to the nearest triangle (original index) and the nearest point.</summary>
    internal double Nearest(Vector3d p, out int triangle, out Vector3d closest)
    {
        var bvh = _bvh;
        double[] lo = bvh.BoxMin, hi = bvh.BoxMax, corners = bvh.Corners;
        int[] first = bvh.First, count = bvh.Count;
        double best = double.PositiveInfinity;
        int bestLeafTri = 0;
        closest = default;
        // Each stacked node carries the box distance computed when it was pushed: by the time it is
        // popped the best distance may have shrunk below it, and the node is dropped without a look.
        Span<int> stack = stackalloc int[TriangleBvh.StackSize];
        Span<double> stackDistance = stackalloc double[TriangleBvh.StackSize];
        int top = 0;
        stack[top] = 0; stackDistance[top++] = BoxDistanceSquared(p, lo, hi, 0);
        while (top > 0)
        {
            int node = stack[--top];
            if (stackDistance[top] >= best) continue;
            int c = count[node];
            if (c > 0)
            {
                for (int i = first[node], e = i + c; i < e; i++)
                {
                    int o = 9 * i;
                    double d2 = ClosestPointOnTriangle.DistanceSquared(p,
                        new Vector3d(corners[o], corners[o + 1], corners[o + 2]),
                        new Vector3d(corners[o + 3], corners[o + 4], corners[o + 5]),
                        new Vector3d(corners[o + 6], corners[o + 7], corners[o + 8]), out var q);
                    if (d2 < best) { best = d2; bestLeafTri = i; closest = q; }
                }
                continue;
            }
            int l = first[node], r = l + 1;
            double dl = BoxDistanceSquared(p, lo, hi, l), dr = BoxDistanceSquared(p, lo, hi, r);
            // Push the farther child first so the nearer one is searched first and tightens the bound.
            if (dl > dr) { (l, r) = (r, l); (dl, dr) = (dr, dl); }
            if (dr < best) { stack[top] = r; stackDistance[top++] = dr; }
            if (dl < best) { stack[top] = l; stackDistance[top++] = dl; }
        }
        triangle = bvh.Order[bestLeafTri];
        return best;
    }

    private static double BoxDistanceSquared(Vector3d p, double[] lo, double[] hi, int node)
    {
        int o = 3 * node;
        double dx = Math.Max(Math.Max(lo[o] - p.X, p.X - hi[o]), 0);
        double dy = Math.Max(Math.Max(lo[o + 1] - p.Y, p.Y - hi[o + 1]), 0);
        double dz = Math.Max(Math.Max(lo[o + 2] - p.Z, p.Z - hi[o + 2]), 0);
        return dx * dx + dy * dy + dz * dz;
    }
}
