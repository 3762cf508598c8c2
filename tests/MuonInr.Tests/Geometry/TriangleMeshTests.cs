using System.Numerics;
using MuonInr.Geometry;
using static MuonInr.Tests.Geometry.GeometryTestMeshes;

namespace MuonInr.Tests.Geometry;

public class TriangleMeshTests
{
    [Fact]
    public void Box_has_bounds_area_and_is_closed()
    {
        var box = MeshPrimitives.Box(new Vector3(-1, -2, -3), new Vector3(1, 2, 3));
        Assert.Equal(new AxisAlignedBox(new Vector3(-1, -2, -3), new Vector3(1, 2, 3)), box.Bounds);
        Assert.Equal(2 * (2 * 4 + 2 * 6 + 4 * 6), box.SurfaceArea, 9);
        Assert.Null(ClosedAndOriented(box));
        Assert.Equal(48, SignedVolume(box), 4);
    }

    [Fact]
    public void Icosphere_is_closed_outward_and_near_the_sphere()
    {
        var s = MeshPrimitives.Icosphere(2, 3);
        Assert.Equal(1280, s.TriangleCount);
        Assert.Equal(642, s.VertexCount);
        Assert.Null(ClosedAndOriented(s));
        Assert.True(SignedVolume(s) > 0);
        Assert.InRange(s.SurfaceArea, 0.98 * 4 * Math.PI * 4, 4 * Math.PI * 4);
        for (int i = 0; i < s.VertexCount; i++) Assert.Equal(2, s.Vertex(i).Length(), 5);
    }

    [Fact]
    public void NormalizeToUnitCube_centres_and_scales_the_longest_side()
    {
        var box = MeshPrimitives.Box(new Vector3(1, 2, 3), new Vector3(5, 4, 4));
        var (m, tf) = box.NormalizeToUnitCube(0.1);
        Assert.Equal(-0.45f, m.Bounds.Min.X, 6); Assert.Equal(0.45f, m.Bounds.Max.X, 6);
        Assert.Equal(-0.225f, m.Bounds.Min.Y, 6); Assert.Equal(0.225f, m.Bounds.Max.Y, 6);
        Assert.Equal(0.9 / 4, tf.Scale, 12);
        Assert.Equal(new Vector3(3, 3, 3.5f), tf.Center);
        var back = tf.Invert(m.Vertex(7));
        Assert.True(Vector3.Distance(back, box.Vertex(7)) < 1e-6f);
        Assert.Equal(box.SurfaceArea * tf.Scale * tf.Scale, m.SurfaceArea, 1e-5);
        Assert.Throws<ArgumentOutOfRangeException>(() => box.NormalizeToUnitCube(1));
    }

    [Fact]
    public void SampleSurface_is_deterministic_on_the_surface_and_area_weighted()
    {
        // Two triangles: one of area 2, one of area 0.5 and a degenerate one in between.
        var mesh = new TriangleMesh([0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 5, 1, 0, 5, 0, 1, 5, 3, 3, 3], [0, 1, 2, 6, 6, 6, 3, 4, 5]);
        var a = mesh.SampleSurface(20000, 7);
        var b = mesh.SampleSurface(20000, 7);
        Assert.Equal(a.Points, b.Points);
        Assert.Equal(a.Triangles, b.Triangles);
        Assert.NotEqual(a.Points, mesh.SampleSurface(20000, 8).Points);
        Assert.DoesNotContain(1, a.Triangles);
        double fractionBig = a.Triangles.Count(t => t == 0) / 20000.0;
        Assert.InRange(fractionBig, 0.8 - 0.015, 0.8 + 0.015);
        for (int i = 0; i < a.Count; i++)
        {
            var p = new Vector3(a.Points[3 * i], a.Points[3 * i + 1], a.Points[3 * i + 2]);
            if (a.Triangles[i] == 0) { Assert.Equal(0, p.Z); Assert.True(p.X >= 0 && p.Y >= 0 && p.X + p.Y <= 2.00001f); Assert.Equal(1, a.Normals[3 * i + 2]); }
            else { Assert.Equal(5, p.Z); Assert.True(p.X >= 0 && p.Y >= 0 && p.X + p.Y <= 1.00001f); }
        }
        // Uniform: the mean of a triangle's samples is its centroid.
        var big = Enumerable.Range(0, a.Count).Where(i => a.Triangles[i] == 0).ToArray();
        Assert.Equal(2 / 3.0, big.Average(i => a.Points[3 * i]), 1);
        Assert.Equal(2 / 3.0, big.Average(i => a.Points[3 * i + 1]), 1);
    }

    [Fact]
    public void Constructor_rejects_bad_indices()
    {
        Assert.Throws<ArgumentException>(() => new TriangleMesh([0, 0, 0], [0, 0, 1]));
        Assert.Throws<ArgumentException>(() => new TriangleMesh([0, 0], []));
    }
}
