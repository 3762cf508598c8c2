using System.Numerics;
using MuonInr.Geometry;
using MuonInr.Tests.TestSupport;
using static MuonInr.Tests.Geometry.GeometryTestMeshes;

namespace MuonInr.Tests.Geometry;

public class WindingNumberTests
{
    [Fact]
    public void Closed_meshes_give_one_inside_and_zero_outside()
    {
        foreach (var mesh in new[] { MeshPrimitives.Box(new Vector3(-1), new Vector3(1)), MeshPrimitives.Icosphere(1, 3) })
        {
            var w = new WindingNumber(mesh);
            var pts = RandomPoints(2000, new AxisAlignedBox(new Vector3(-2f), new Vector3(2f)), 3);
            var fast = w.Compute(pts);
            var exact = new float[fast.Length];
            w.ComputeExact(pts, exact);
            var sd = new MeshDistance(mesh);
            for (int i = 0; i < fast.Length; i++)
            {
                var p = new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]);
                if (sd.Distance(p) < 1e-3) continue; // on the surface w is ½
                bool inside = mesh.TriangleCount == 12 ? Vector3.Abs(p) is { X: < 1, Y: < 1, Z: < 1 } : InsideConvex(mesh, p);
                Assert.Equal(inside ? 1 : 0, exact[i], 1e-4);
                Assert.Equal(inside ? 1 : 0, fast[i], 0.02);
            }
        }
    }

    private static bool InsideConvex(TriangleMesh mesh, Vector3 p)
    {
        for (int t = 0; t < mesh.TriangleCount; t++)
        {
            var (a, _, _) = mesh.Triangle(t);
            if (Vector3.Dot(mesh.FaceNormal(t), p - a) > 0) return false;
        }
        return true;
    }

    [Fact]
    public void A_sphere_with_holes_still_classifies_points_away_from_the_holes()
    {
        var sphere = MeshPrimitives.Icosphere(1, 3);
        // Remove the triangles around +z (a hole of about 0.3 radius).
        var kept = new List<int>();
        for (int t = 0; t < sphere.TriangleCount; t++)
        {
            var (a, b, c) = sphere.Triangle(t);
            if ((a + b + c).Z / 3 < 0.95f) kept.AddRange(sphere.Triangles.AsSpan(3 * t, 3).ToArray());
        }
        var holed = new TriangleMesh(sphere.Vertices, [.. kept]);
        Assert.True(holed.TriangleCount < sphere.TriangleCount);
        var w = new WindingNumber(holed);
        var pts = RandomPoints(3000, new AxisAlignedBox(new Vector3(-2f), new Vector3(2f)), 11);
        var fast = w.Compute(pts);
        for (int i = 0; i < fast.Length; i++)
        {
            var p = new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]);
            if (Vector3.Distance(p, new Vector3(0, 0, 1)) < 0.7f || Math.Abs(p.Length() - 1) < 0.05f) continue;
            float expected = p.Length() < 1 ? 1 : 0;
            Assert.True(Math.Abs(fast[i] - expected) < 0.5f, $"{p}: w = {fast[i]}");
        }
    }

    [Fact]
    public void Fast_agrees_with_exact_on_a_random_soup_and_near_the_surface()
    {
        foreach (var mesh in new[] { RandomSoup(500, 4), MeshPrimitives.Icosphere(1, 4) })
        {
            var w = new WindingNumber(mesh);
            var pts = RandomPoints(1500, new AxisAlignedBox(new Vector3(-1.5f), new Vector3(1.5f)), 12);
            var fast = w.Compute(pts);
            var exact = new float[fast.Length];
            w.ComputeExact(pts, exact);
            double maxErr = 0;
            for (int i = 0; i < fast.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(fast[i] - exact[i]));
            Console.WriteLine($"fast vs exact winding number ({mesh.TriangleCount} triangles): max |Δw| = {maxErr:E2}");
            Assert.True(maxErr < 0.02, $"max |fast − exact| = {maxErr}");
        }
    }

    [Fact]
    public void SignedDistance_is_negative_inside()
    {
        var sdf = new SignedDistanceField(MeshPrimitives.Icosphere(1, 4));
        var pts = RandomPoints(1000, new AxisAlignedBox(new Vector3(-2f), new Vector3(2f)), 13);
        var s = sdf.SignedDistance(pts);
        for (int i = 0; i < s.Length; i++)
        {
            double r = new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]).Length();
            Assert.Equal(r - 1, s[i], 3e-3);
        }
        Assert.True(sdf.At(Vector3.Zero) < -0.99);
    }
}

/// <summary>The generalized winding number on a real scan with holes (the original Stanford bunny reconstruction).</summary>
public class WindingNumberOnScansTests
{
    [RequiresSharedFileFact("meshes/bun_zipper.ply")]
    public void Classifies_points_just_inside_and_outside_the_holed_Stanford_bunny()
    {
        var bunny = MeshReader.Read(SharedData.File("meshes/bun_zipper.ply"));
        var w = new WindingNumber(bunny);
        var s = bunny.SampleSurface(4000, 5);
        const float eps = 0.002f; // the bunny is about 0.15 across
        var inside = new float[s.Points.Length];
        var outside = new float[s.Points.Length];
        for (int i = 0; i < s.Points.Length; i++) { inside[i] = s.Points[i] - eps * s.Normals[i]; outside[i] = s.Points[i] + eps * s.Normals[i]; }
        var wi = w.Compute(inside);
        var wo = w.Compute(outside);
        double correct = (wi.Count(x => x > 0.5f) + wo.Count(x => x < 0.5f)) / (2.0 * s.Count);
        Console.WriteLine($"bunny (holes): {correct:P2} of points {eps} inside/outside the surface classified correctly");
        Assert.True(correct > 0.99, $"{correct:P2} correct");
    }
}
