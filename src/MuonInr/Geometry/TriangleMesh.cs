using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// An indexed triangle mesh in float32: <see cref="Vertices"/> holds xyz interleaved ([vertexCount, 3]) and
/// <see cref="Triangles"/> three 0-based vertex indices per triangle ([triangleCount, 3]). Triangles are
/// oriented by the right-hand rule over their vertex order: (b − a) × (c − a) is the face normal, which
/// points outward for a closed mesh with the usual counter-clockwise-from-outside convention (the one
/// <see cref="MarchingCubes"/> produces and <see cref="WindingNumber"/> assumes: +1 inside). Degenerate
/// (zero-area) triangles are allowed and contribute nothing to areas, sampling or winding numbers. The
/// arrays are not copied: callers must not change them after construction.
/// </summary>
public sealed class TriangleMesh
{
    private AxisAlignedBox? _bounds;
    private double[]? _cumulativeArea;

    /// <summary>Wraps vertex and index arrays; indices are checked against the vertex count.</summary>
    /// <exception cref="ArgumentException">Array lengths are not multiples of 3 or an index is out of range.</exception>
    public TriangleMesh(float[] vertices, int[] triangles)
    {
        ArgumentNullException.ThrowIfNull(vertices);
        ArgumentNullException.ThrowIfNull(triangles);
        if (vertices.Length % 3 != 0) throw new ArgumentException($"Vertex array length {vertices.Length} is not a multiple of 3 (xyz interleaved).", nameof(vertices));
        if (triangles.Length % 3 != 0) throw new ArgumentException($"Triangle index array length {triangles.Length} is not a multiple of 3.", nameof(triangles));
        int n = vertices.Length / 3;
        for (int i = 0; i < triangles.Length; i++)
            if ((uint)triangles[i] >= (uint)n)
                throw new ArgumentException($"Triangle {i / 3} refers to vertex {triangles[i]} but the mesh has {n} vertices.", nameof(triangles));
        Vertices = vertices;
        Triangles = triangles;
    }

    /// <summary>Vertex positions, xyz interleaved.</summary>
    public float[] Vertices { get; }

    /// <summary>Vertex indices, three per triangle.</summary>
    public int[] Triangles { get; }

    /// <summary>Number of vertices.</summary>
    public int VertexCount => Vertices.Length / 3;

    /// <summary>Number of triangles.</summary>
    public int TriangleCount => Triangles.Length / 3;

    /// <summary>Position of vertex <paramref name="i"/>.</summary>
    public Vector3 Vertex(int i) => new(Vertices[3 * i], Vertices[3 * i + 1], Vertices[3 * i + 2]);

    /// <summary>The corners of triangle <paramref name="t"/>.</summary>
    public (Vector3 A, Vector3 B, Vector3 C) Triangle(int t)
        => (Vertex(Triangles[3 * t]), Vertex(Triangles[3 * t + 1]), Vertex(Triangles[3 * t + 2]));

    /// <summary>Bounding box of the vertices (all of them, referenced or not); <see cref="AxisAlignedBox.Empty"/> without vertices.</summary>
    public AxisAlignedBox Bounds => _bounds ??= ComputeBounds();

    /// <summary>Sum of triangle areas (double accumulation).</summary>
    public double SurfaceArea => CumulativeArea is { Length: > 0 } c ? c[^1] : 0;

    /// <summary>Area of triangle <paramref name="t"/>, in double from the float corners.</summary>
    public double TriangleArea(int t) => 0.5 * Cross(t).Length();

    /// <summary>Unit face normal of triangle <paramref name="t"/> (right-hand rule); zero when degenerate.</summary>
    public Vector3 FaceNormal(int t)
    {
        var n = Cross(t);
        double len = n.Length();
        return len > 0 ? new Vector3((float)(n.X / len), (float)(n.Y / len), (float)(n.Z / len)) : Vector3.Zero;
    }

    /// <summary>
    /// A copy scaled into the unit cube: the bounding box is centred at the origin and scaled uniformly so
    /// that its longest side spans [−(1 − margin)/2, (1 − margin)/2]; the other sides keep the aspect ratio.
    /// E.g. margin 0.1 puts the shape inside [−0.45, 0.45]³. The returned transform maps original to
    /// normalized coordinates (p' = (p − Center)·Scale).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="margin"/> is outside [0, 1).</exception>
    /// <exception cref="InvalidOperationException">The mesh has no vertices or all vertices coincide.</exception>
    public (TriangleMesh Mesh, UnitCubeNormalization Transform) NormalizeToUnitCube(double margin = 0)
    {
        if (!(margin >= 0 && margin < 1)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin is a fraction in [0, 1).");
        var b = Bounds;
        if (b.IsEmpty) throw new InvalidOperationException("Cannot normalize a mesh without vertices.");
        var size = b.Size;
        double longest = Math.Max(size.X, Math.Max(size.Y, size.Z));
        if (!(longest > 0)) throw new InvalidOperationException("Cannot normalize a mesh whose vertices all coincide (zero-size bounding box).");
        // Centre in double so the shift is not rounded twice.
        double cx = 0.5 * ((double)b.Min.X + b.Max.X), cy = 0.5 * ((double)b.Min.Y + b.Max.Y), cz = 0.5 * ((double)b.Min.Z + b.Max.Z);
        double scale = (1 - margin) / longest;
        var v = new float[Vertices.Length];
        for (int i = 0; i < v.Length; i += 3)
        {
            v[i] = (float)((Vertices[i] - cx) * scale);
            v[i + 1] = (float)((Vertices[i + 1] - cy) * scale);
            v[i + 2] = (float)((Vertices[i + 2] - cz) * scale);
        }
        return (new TriangleMesh(v, (int[])Triangles.Clone()), new UnitCubeNormalization(new Vector3((float)cx, (float)cy, (float)cz), scale));
    }

    /// <summary>
    /// <paramref name="count"/> points uniformly distributed over the surface (area-weighted choice of a
    /// triangle, then uniform barycentric coordinates), deterministic for a given <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The mesh has zero surface area.</exception>
    public SurfaceSamples SampleSurface(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var points = new double[3 * count];
        var tris = new int[count];
        SampleSurfaceInto(count, seed, points, tris);
        var p = new float[3 * count];
        var normals = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            var n = FaceNormal(tris[i]);
            for (int k = 0; k < 3; k++) p[3 * i + k] = (float)points[3 * i + k];
            normals[3 * i] = n.X; normals[3 * i + 1] = n.Y; normals[3 * i + 2] = n.Z;
        }
        return new SurfaceSamples(p, tris, normals);
    }

    /// <summary>Surface sampling in double (exactly on the float triangles up to double rounding), for metrics.</summary>
    internal void SampleSurfaceInto(int count, int seed, Span<double> points, Span<int> triangles)
    {
        var cumulative = CumulativeArea;
        double total = cumulative.Length > 0 ? cumulative[^1] : 0;
        if (count > 0 && !(total > 0)) throw new InvalidOperationException("Cannot sample a surface with zero area.");
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            double target = rng.NextDouble() * total;
            // Upper bound: the first triangle whose cumulative area exceeds the target, so zero-area
            // triangles (which repeat their predecessor's sum) are never chosen.
            int lo = 0, hi = cumulative.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] <= target) lo = mid + 1; else hi = mid;
            }
            int t = lo;
            if (t >= cumulative.Length) // rounding put the target at the total: take the last triangle with area
                for (t = cumulative.Length - 1; t > 0 && cumulative[t] == cumulative[t - 1]; t--) { }
            // Uniform barycentric coordinates: √r1 folds the unit square onto the triangle without bias.
            double r1 = Math.Sqrt(rng.NextDouble()), r2 = rng.NextDouble();
            double wa = 1 - r1, wb = r1 * (1 - r2), wc = r1 * r2;
            int a = 3 * Triangles[3 * t], b = 3 * Triangles[3 * t + 1], c = 3 * Triangles[3 * t + 2];
            for (int k = 0; k < 3; k++)
                points[3 * i + k] = wa * Vertices[a + k] + wb * Vertices[b + k] + wc * Vertices[c + k];
            triangles[i] = t;
        }
    }

    private double[] CumulativeArea => _cumulativeArea ??= ComputeCumulativeArea();

    private double[] ComputeCumulativeArea()
    {
        var c = new double[TriangleCount];
        double sum = 0;
        for (int t = 0; t < c.Length; t++) { sum += TriangleArea(t); c[t] = sum; }
        return c;
    }

    private Vector3d Cross(int t)
    {
        int a = 3 * Triangles[3 * t], b = 3 * Triangles[3 * t + 1], c = 3 * Triangles[3 * t + 2];
        var pa = Vector3d.At(Vertices, a);
        return (Vector3d.At(Vertices, b) - pa).Cross(Vector3d.At(Vertices, c) - pa);
    }

    private AxisAlignedBox ComputeBounds()
    {
        var box = AxisAlignedBox.Empty;
        for (int i = 0; i < VertexCount; i++) box = box.Union(Vertex(i));
        return box;
    }
}
