namespace MuonInr.Geometry;

/// <summary>
/// Points drawn on a mesh surface by <see cref="TriangleMesh.SampleSurface"/>: <see cref="Points"/> and
/// <see cref="Normals"/> are xyz interleaved ([count, 3]); <see cref="Triangles"/>[i] is the triangle point i
/// lies on; normals are that triangle's unit face normal (right-hand rule over its vertex order; zero for a
/// degenerate triangle, which is never drawn since its area is zero).
/// </summary>
public sealed record SurfaceSamples(float[] Points, int[] Triangles, float[] Normals)
{
    /// <summary>Number of samples.</summary>
    public int Count => Triangles.Length;
}
