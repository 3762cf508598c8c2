using MuonInr.Geometry;

namespace MuonInr.Tasks.Sdf;

/// <summary>The SDF task's built-in test shape (<c>fit sdf generated</c>): a closed torus mesh, genus one.</summary>
public static class GeneratedShapes
{
    /// <summary>
    /// A torus about the z axis with major radius <paramref name="major"/> and tube radius
    /// <paramref name="minor"/>, <paramref name="segments"/> x <paramref name="segments"/>/2 quads split into
    /// outward-facing triangles; every edge is shared by two triangles.
    /// </summary>
    public static TriangleMesh Torus(float major = 0.3f, float minor = 0.12f, int segments = 96)
    {
        int u = segments, v = Math.Max(3, segments / 2);
        var vertices = new float[u * v * 3];
        for (int i = 0; i < u; i++)
            for (int j = 0; j < v; j++)
            {
                double a = 2 * Math.PI * i / u, b = 2 * Math.PI * j / v;
                double r = major + minor * Math.Cos(b);
                int o = (i * v + j) * 3;
                vertices[o] = (float)(r * Math.Cos(a)); vertices[o + 1] = (float)(r * Math.Sin(a)); vertices[o + 2] = (float)(minor * Math.Sin(b));
            }
        var triangles = new int[u * v * 6];
        int k = 0;
        for (int i = 0; i < u; i++)
            for (int j = 0; j < v; j++)
            {
                int p = i * v + j, q = (i + 1) % u * v + j, p1 = i * v + (j + 1) % v, q1 = (i + 1) % u * v + (j + 1) % v;
                triangles[k++] = p; triangles[k++] = q; triangles[k++] = q1;
                triangles[k++] = p; triangles[k++] = q1; triangles[k++] = p1;
            }
        return new TriangleMesh(vertices, triangles);
    }
}
