using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// Closed reference meshes with outward-facing triangles (right-hand rule), for tests, metrics baselines
/// and sanity checks of a fitted SDF.
/// </summary>
public static class MeshPrimitives
{
    /// <summary>The box [<paramref name="min"/>, <paramref name="max"/>]: 8 vertices, 12 triangles.</summary>
    public static TriangleMesh Box(Vector3 min, Vector3 max)
    {
        var v = new float[24];
        for (int i = 0; i < 8; i++) // corner i has bit 0 → x, bit 1 → y, bit 2 → z at max
        {
            v[3 * i] = (i & 1) != 0 ? max.X : min.X;
            v[3 * i + 1] = (i & 2) != 0 ? max.Y : min.Y;
            v[3 * i + 2] = (i & 4) != 0 ? max.Z : min.Z;
        }
        // Each face as a quad of corners in cyclic order; orientation is fixed below.
        int[][] quads = [[0, 1, 3, 2], [4, 5, 7, 6], [0, 1, 5, 4], [2, 3, 7, 6], [0, 2, 6, 4], [1, 3, 7, 5]];
        var t = new List<int>(36);
        foreach (var q in quads) { t.AddRange([q[0], q[1], q[2], q[0], q[2], q[3]]); }
        var tris = t.ToArray();
        OrientOutward(v, tris, (min + max) * 0.5f);
        return new TriangleMesh(v, tris);
    }

    /// <summary>
    /// A geodesic sphere: the icosahedron with each triangle split into four <paramref name="subdivisions"/>
    /// times, vertices pushed onto the sphere. 20·4^s triangles, 10·4^s + 2 vertices. Its vertices lie on the
    /// sphere; the flat faces lie inside it, at most r(1 − cos θ) below it (θ the angular circumradius of a face).
    /// </summary>
    public static TriangleMesh Icosphere(float radius, int subdivisions, Vector3 center = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(subdivisions);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subdivisions, 8);
        double g = (1 + Math.Sqrt(5)) / 2;
        var pts = new List<(double X, double Y, double Z)>
        {
            (-1, g, 0), (1, g, 0), (-1, -g, 0), (1, -g, 0), (0, -1, g), (0, 1, g),
            (0, -1, -g), (0, 1, -g), (g, 0, -1), (g, 0, 1), (-g, 0, -1), (-g, 0, 1),
        };
        int[] tris =
        [
            0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11, 1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8,
            3, 9, 4, 3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9, 4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1,
        ];
        for (int s = 0; s < subdivisions; s++)
        {
            var midpoints = new Dictionary<long, int>();
            int Mid(int a, int b)
            {
                long key = Math.Min(a, b) * (long)int.MaxValue + Math.Max(a, b);
                if (midpoints.TryGetValue(key, out int m)) return m;
                var (pa, pb) = (pts[a], pts[b]);
                pts.Add(((pa.X + pb.X) / 2, (pa.Y + pb.Y) / 2, (pa.Z + pb.Z) / 2));
                midpoints[key] = pts.Count - 1;
                return pts.Count - 1;
            }
            var next = new int[tris.Length * 4];
            for (int t = 0; t < tris.Length / 3; t++)
            {
                int a = tris[3 * t], b = tris[3 * t + 1], c = tris[3 * t + 2];
                int ab = Mid(a, b), bc = Mid(b, c), ca = Mid(c, a);
                int[] four = [a, ab, ca, ab, b, bc, ca, bc, c, ab, bc, ca];
                four.CopyTo(next, 12 * t);
            }
            tris = next;
        }
        var v = new float[3 * pts.Count];
        for (int i = 0; i < pts.Count; i++)
        {
            var (x, y, z) = pts[i];
            double k = radius / Math.Sqrt(x * x + y * y + z * z);
            v[3 * i] = (float)(x * k) + center.X; v[3 * i + 1] = (float)(y * k) + center.Y; v[3 * i + 2] = (float)(z * k) + center.Z;
        }
        OrientOutward(v, tris, center);
        return new TriangleMesh(v, tris);
    }

    // For a convex shape: flip every triangle whose normal points towards the centre.
    private static void OrientOutward(float[] v, int[] tris, Vector3 center)
    {
        for (int t = 0; t < tris.Length; t += 3)
        {
            Vector3 a = At(v, tris[t]), b = At(v, tris[t + 1]), c = At(v, tris[t + 2]);
            if (Vector3.Dot(Vector3.Cross(b - a, c - a), (a + b + c) / 3 - center) < 0) (tris[t + 1], tris[t + 2]) = (tris[t + 2], tris[t + 1]);
        }
    }

    private static Vector3 At(float[] v, int i) => new(v[3 * i], v[3 * i + 1], v[3 * i + 2]);
}
