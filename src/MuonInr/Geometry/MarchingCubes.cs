using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// Iso-surface extraction from a regular grid by marching cubes (Lorensen &amp; Cline 1987, tables in
/// <see cref="MarchingCubesTables"/>).
/// <para>
/// Grid convention: <c>n</c> points per axis spanning the box inclusive of both ends, point (i, j, k) at
/// min + (max − min)·(i, j, k)/(n − 1), stored x fastest: <c>values[i + n·(j + n·k)]</c>. A point is inside
/// when its value is below <c>isoLevel</c> (an SDF is negative inside); triangles are oriented so their
/// right-hand normals point outward (towards larger values). One vertex is made per crossed grid edge and
/// shared by every cube around that edge, so the mesh is watertight wherever the surface does not leave
/// the box; surface vertices lie on grid edges at the linearly interpolated crossing.
/// </para>
/// The function form evaluates the field one z-slice (n² points) at a time and keeps two slices, so
/// memory is O(n²) besides the output mesh: a 256³ network SDF never needs its 64 MB grid.
/// The marching itself is serial and cheap next to evaluating a network: 256³ (a wavy sphere, 306k
/// triangles) took 0.2 s of CPU on a 2-core AMD EPYC.
/// </summary>
public static class MarchingCubes
{
    /// <summary>Extracts the iso-surface from a full grid of <c>n³</c> values (layout above).</summary>
    /// <exception cref="ArgumentException">Wrong value count, n &lt; 2, or an empty box.</exception>
    public static TriangleMesh Extract(ReadOnlySpan<float> values, int n, AxisAlignedBox bounds, float isoLevel = 0)
    {
        Check(n, bounds);
        if (values.Length != (long)n * n * n) throw new ArgumentException($"A grid of {n} points per axis needs {(long)n * n * n} values, got {values.Length}.", nameof(values));
        var m = new Marcher(n, bounds, isoLevel);
        int slice = n * n;
        for (int k = 0; k + 1 < n; k++) m.Layer(k, values.Slice(k * slice, slice), values.Slice((k + 1) * slice, slice));
        return m.Mesh();
    }

    /// <summary>
    /// Extracts the iso-surface of a field evaluated slice by slice: <paramref name="field"/> is called n
    /// times with the n² points of one z-slice (x fastest, then y).
    /// </summary>
    public static TriangleMesh Extract(FieldEvaluator field, int n, AxisAlignedBox bounds, float isoLevel = 0)
    {
        ArgumentNullException.ThrowIfNull(field);
        Check(n, bounds);
        var m = new Marcher(n, bounds, isoLevel);
        int slice = n * n;
        var points = new float[3 * slice];
        var lower = new float[slice];
        var upper = new float[slice];
        SlicePoints(points, 0, n, bounds); field(points, lower);
        for (int k = 0; k + 1 < n; k++)
        {
            SlicePoints(points, k + 1, n, bounds); field(points, upper);
            m.Layer(k, lower, upper);
            (lower, upper) = (upper, lower);
        }
        return m.Mesh();
    }

    /// <summary>Fills <paramref name="points"/> with the n² grid points of slice <paramref name="k"/> (x fastest).</summary>
    public static void SlicePoints(Span<float> points, int k, int n, AxisAlignedBox bounds)
    {
        float z = Coordinate(bounds.Min.Z, bounds.Max.Z, k, n);
        for (int j = 0, o = 0; j < n; j++)
        {
            float y = Coordinate(bounds.Min.Y, bounds.Max.Y, j, n);
            for (int i = 0; i < n; i++, o += 3)
            {
                points[o] = Coordinate(bounds.Min.X, bounds.Max.X, i, n);
                points[o + 1] = y; points[o + 2] = z;
            }
        }
    }

    private static float Coordinate(float min, float max, int i, int n) => (float)(min + ((double)max - min) * i / (n - 1));

    private static void Check(int n, AxisAlignedBox bounds)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "A grid needs at least 2 points per axis.");
        if ((long)n * n * 3 > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(n), n, "The grid is too large.");
        if (!(bounds.Min.X < bounds.Max.X && bounds.Min.Y < bounds.Max.Y && bounds.Min.Z < bounds.Max.Z))
            throw new ArgumentException($"The grid box must have positive size on every axis, got {bounds.Min} to {bounds.Max}.", nameof(bounds));
    }

    /// <summary>Marches one layer of cubes at a time, keeping the vertex ids of the edges it shares with the next layer.</summary>
    private sealed class Marcher
    {
        private readonly int _n;
        private readonly AxisAlignedBox _box;
        private readonly float _iso;
        // Vertex id per grid edge, −1 when not made yet: x- and y-edges of the lower and upper slice of the
        // current layer, z-edges between them; all indexed j·n + i by the edge's lower grid point.
        private int[] _xLow, _yLow, _xHigh, _yHigh;
        private readonly int[] _z;
        private readonly List<float> _vertices = [];
        private readonly List<int> _triangles = [];

        public Marcher(int n, AxisAlignedBox box, float iso)
        {
            _n = n; _box = box; _iso = iso;
            _xLow = New(); _yLow = New(); _xHigh = New(); _yHigh = New(); _z = New();
            int[] New() { var a = new int[n * n]; Array.Fill(a, -1); return a; }
        }

        public TriangleMesh Mesh() => new([.. _vertices], [.. _triangles]);

        /// <summary>Cubes between slice k (values <paramref name="lo"/>) and k + 1 (<paramref name="hi"/>).</summary>
        public void Layer(int k, ReadOnlySpan<float> lo, ReadOnlySpan<float> hi)
        {
            int n = _n;
            if (k > 0)
            {
                // The old upper slice is the new lower one; forget the rest.
                (_xLow, _xHigh) = (_xHigh, _xLow); (_yLow, _yHigh) = (_yHigh, _yLow);
                Array.Fill(_xHigh, -1); Array.Fill(_yHigh, -1); Array.Fill(_z, -1);
            }
            Span<float> v = stackalloc float[8];
            Span<int> ids = stackalloc int[12];
            var edgeTable = MarchingCubesTables.EdgeTable;
            var triTable = MarchingCubesTables.TriangleTable;
            for (int j = 0; j + 1 < n; j++)
            {
                for (int i = 0; i + 1 < n; i++)
                {
                    int a = j * n + i;
                    v[0] = lo[a]; v[1] = lo[a + 1]; v[2] = lo[a + n + 1]; v[3] = lo[a + n];
                    v[4] = hi[a]; v[5] = hi[a + 1]; v[6] = hi[a + n + 1]; v[7] = hi[a + n];
                    int cube = 0;
                    for (int c = 0; c < 8; c++) if (v[c] < _iso) cube |= 1 << c;
                    int mask = edgeTable[cube];
                    if (mask == 0) continue;
                    for (int e = 0; e < 12; e++)
                        if ((mask >> e & 1) != 0) ids[e] = EdgeVertex(e, i, j, k, v);
                    foreach (int e in triTable[cube]) _triangles.Add(ids[e]);
                }
            }
        }

        // The shared vertex of cube edge e for the cube at (i, j, k), made on first use.
        private int EdgeVertex(int e, int i, int j, int k, ReadOnlySpan<float> v)
        {
            int n = _n;
            var (cache, at) = e switch
            {
                0 => (_xLow, j * n + i),
                1 => (_yLow, j * n + i + 1),
                2 => (_xLow, (j + 1) * n + i),
                3 => (_yLow, j * n + i),
                4 => (_xHigh, j * n + i),
                5 => (_yHigh, j * n + i + 1),
                6 => (_xHigh, (j + 1) * n + i),
                7 => (_yHigh, j * n + i),
                8 => (_z, j * n + i),
                9 => (_z, j * n + i + 1),
                10 => (_z, (j + 1) * n + i + 1),
                _ => (_z, (j + 1) * n + i),
            };
            ref int id = ref cache[at];
            if (id >= 0) return id;
            int p = MarchingCubesTables.EdgeCorners[e, 0], q = MarchingCubesTables.EdgeCorners[e, 1];
            double vp = v[p], vq = v[q];
            double t = (_iso - vp) / (vq - vp);
            if (!(t >= 0 && t <= 1)) t = 0.5; // equal or non-finite values: the edge midpoint
            var corner = MarchingCubesTables.Corner;
            double gx = i + corner[p, 0] + t * (corner[q, 0] - corner[p, 0]);
            double gy = j + corner[p, 1] + t * (corner[q, 1] - corner[p, 1]);
            double gz = k + corner[p, 2] + t * (corner[q, 2] - corner[p, 2]);
            _vertices.Add(Grid(_box.Min.X, _box.Max.X, gx));
            _vertices.Add(Grid(_box.Min.Y, _box.Max.Y, gy));
            _vertices.Add(Grid(_box.Min.Z, _box.Max.Z, gz));
            id = _vertices.Count / 3 - 1;
            return id;
        }

        private float Grid(float min, float max, double g) => (float)(min + ((double)max - min) * g / (_n - 1));
    }
}
