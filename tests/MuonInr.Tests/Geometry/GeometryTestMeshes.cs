using System.Numerics;
using MuonInr.Geometry;

namespace MuonInr.Tests.Geometry;

/// <summary>Random meshes, random points and mesh invariants shared by the geometry tests.</summary>
internal static class GeometryTestMeshes
{
    /// <summary>A triangle soup of <paramref name="triangles"/> random triangles in [−1, 1]³ (some degenerate).</summary>
    public static TriangleMesh RandomSoup(int triangles, int seed)
    {
        var rng = new Random(seed);
        var v = new float[9 * triangles];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        // A few degenerate ones: repeated or collinear corners.
        if (triangles > 3)
        {
            Array.Copy(v, 0, v, 3, 3);
            for (int k = 0; k < 3; k++) v[9 + 6 + k] = 0.5f * (v[9 + k] + v[9 + 3 + k]);
        }
        var t = new int[3 * triangles];
        for (int i = 0; i < t.Length; i++) t[i] = i;
        return new TriangleMesh(v, t);
    }

    /// <summary><paramref name="count"/> points uniform in the box <paramref name="box"/> (xyz interleaved).</summary>
    public static float[] RandomPoints(int count, AxisAlignedBox box, int seed)
    {
        var rng = new Random(seed);
        var p = new float[3 * count];
        for (int i = 0; i < count; i++)
        {
            p[3 * i] = box.Min.X + (float)rng.NextDouble() * (box.Max.X - box.Min.X);
            p[3 * i + 1] = box.Min.Y + (float)rng.NextDouble() * (box.Max.Y - box.Min.Y);
            p[3 * i + 2] = box.Min.Z + (float)rng.NextDouble() * (box.Max.Z - box.Min.Z);
        }
        return p;
    }

    /// <summary>Brute-force distance over all triangles, in double.</summary>
    public static double BruteForceDistance(TriangleMesh mesh, Vector3 p)
    {
        double best = double.PositiveInfinity;
        for (int t = 0; t < mesh.TriangleCount; t++)
        {
            var (a, b, c) = mesh.Triangle(t);
            best = Math.Min(best, PointTriangleDistance(p, a, b, c));
        }
        return best;
    }

    /// <summary>
    /// Independent reference distance: the minimum of the distance to the plane interior (when the
    /// projection falls inside) and the three edge distances.
    /// </summary>
    public static double PointTriangleDistance(Vector3 pf, Vector3 af, Vector3 bf, Vector3 cf)
    {
        double[] p = [pf.X, pf.Y, pf.Z], a = [af.X, af.Y, af.Z], b = [bf.X, bf.Y, bf.Z], c = [cf.X, cf.Y, cf.Z];
        double best = Math.Min(Seg(p, a, b), Math.Min(Seg(p, b, c), Seg(p, c, a)));
        double[] ab = Sub(b, a), ac = Sub(c, a), n = Cross(ab, ac);
        double nn = Dot(n, n);
        if (nn > 1e-30)
        {
            double[] ap = Sub(p, a);
            double s = Dot(ap, n) / nn;
            double[] proj = [p[0] - s * n[0], p[1] - s * n[1], p[2] - s * n[2]];
            // Inside test: same-sign sub-triangle orientations.
            double w0 = Dot(Cross(Sub(b, a), Sub(proj, a)), n), w1 = Dot(Cross(Sub(c, b), Sub(proj, b)), n), w2 = Dot(Cross(Sub(a, c), Sub(proj, c)), n);
            if (w0 >= 0 && w1 >= 0 && w2 >= 0) best = Math.Min(best, Math.Abs(s) * Math.Sqrt(nn));
        }
        return best;

        static double Seg(double[] p, double[] a, double[] b)
        {
            double[] ab = Sub(b, a);
            double l = Dot(ab, ab);
            double t = l > 0 ? Math.Clamp(Dot(Sub(p, a), ab) / l, 0, 1) : 0;
            double[] q = [a[0] + t * ab[0] - p[0], a[1] + t * ab[1] - p[1], a[2] + t * ab[2] - p[2]];
            return Math.Sqrt(Dot(q, q));
        }
        static double[] Sub(double[] x, double[] y) => [x[0] - y[0], x[1] - y[1], x[2] - y[2]];
        static double Dot(double[] x, double[] y) => x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
        static double[] Cross(double[] x, double[] y) => [x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]];
    }

    /// <summary>Whether every undirected edge is used by exactly two triangles, once in each direction (closed and consistently oriented).</summary>
    public static string? ClosedAndOriented(TriangleMesh mesh)
    {
        var directed = new Dictionary<(int, int), int>();
        var t = mesh.Triangles;
        for (int i = 0; i < t.Length; i += 3)
            for (int k = 0; k < 3; k++)
            {
                var e = (t[i + k], t[i + (k + 1) % 3]);
                directed[e] = directed.GetValueOrDefault(e) + 1;
            }
        foreach (var ((a, b), count) in directed)
        {
            if (count != 1) return $"directed edge {a}→{b} used {count} times";
            if (!directed.ContainsKey((b, a))) return $"edge {a}→{b} has no opposite (boundary)";
        }
        return null;
    }

    /// <summary>Signed volume by the divergence theorem (positive for outward-oriented closed meshes).</summary>
    public static double SignedVolume(TriangleMesh mesh)
    {
        double v = 0;
        for (int t = 0; t < mesh.TriangleCount; t++)
        {
            var (a, b, c) = mesh.Triangle(t);
            v += Vector3.Dot(a, Vector3.Cross(b, c)) / 6.0;
        }
        return v;
    }
}
