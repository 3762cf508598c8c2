using System.Diagnostics;
using System.Numerics;
using MuonInr.Geometry;
using static MuonInr.Tests.Geometry.GeometryTestMeshes;

namespace MuonInr.Tests.Geometry;

public class MeshDistanceTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(300, 3)]
    public void Matches_brute_force_on_random_soups(int triangles, int seed)
    {
        var mesh = RandomSoup(triangles, seed);
        var distance = new MeshDistance(mesh);
        var near = RandomPoints(400, new AxisAlignedBox(new Vector3(-1.2f), new Vector3(1.2f)), seed + 10);
        var far = RandomPoints(100, new AxisAlignedBox(new Vector3(-20f), new Vector3(20f)), seed + 20);
        foreach (var pts in new[] { near, far })
        {
            var d = distance.Distances(pts);
            for (int i = 0; i < d.Length; i++)
            {
                var p = new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]);
                double expected = BruteForceDistance(mesh, p);
                Assert.True(Math.Abs(d[i] - expected) <= 1e-5 * (1 + expected), $"point {i}: {d[i]} vs brute force {expected}");
                var (q, t, dq) = distance.ClosestPoint(p);
                Assert.Equal(expected, dq, 1e-9 * (1 + expected));
                var (a, b, c) = mesh.Triangle(t);
                Assert.True(PointTriangleDistance(q, a, b, c) < 1e-5, "closest point lies on its triangle");
            }
        }
    }

    [Fact]
    public void Matches_brute_force_on_an_icosphere()
    {
        var mesh = MeshPrimitives.Icosphere(1, 3);
        var distance = new MeshDistance(mesh);
        var pts = RandomPoints(500, new AxisAlignedBox(new Vector3(-1.5f), new Vector3(1.5f)), 5);
        var d = distance.Distances(pts);
        for (int i = 0; i < d.Length; i++)
        {
            double expected = BruteForceDistance(mesh, new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]));
            Assert.Equal(expected, d[i], 1e-5);
        }
    }

    [Fact]
    public void Distance_to_an_icosphere_approximates_the_sphere_within_the_tessellation_error()
    {
        const float r = 0.8f;
        var mesh = MeshPrimitives.Icosphere(r, 4); // faces at most r(1 − cos θ) ≈ 1.5e-3·r inside the sphere
        var distance = new MeshDistance(mesh);
        var pts = RandomPoints(2000, new AxisAlignedBox(new Vector3(-2f), new Vector3(2f)), 9);
        var d = distance.Distances(pts);
        for (int i = 0; i < d.Length; i++)
        {
            double radius = new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]).Length();
            Assert.True(Math.Abs(d[i] - Math.Abs(radius - r)) < 2e-3, $"|p| = {radius}: {d[i]}");
        }
    }

    [Fact]
    public void Box_distances_are_exact()
    {
        var min = new Vector3(-0.5f, -1, -0.25f); var max = new Vector3(1, 0.5f, 0.75f);
        var distance = new MeshDistance(MeshPrimitives.Box(min, max));
        var pts = RandomPoints(3000, new AxisAlignedBox(new Vector3(-3f), new Vector3(3f)), 4);
        var d = distance.Distances(pts);
        var c = (min + max) / 2; var h = (max - min) / 2;
        for (int i = 0; i < d.Length; i++)
        {
            var q = Vector3.Abs(new Vector3(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2]) - c) - h;
            double expected = q.X > 0 || q.Y > 0 || q.Z > 0 ? Vector3.Max(q, Vector3.Zero).Length() : -Math.Max(q.X, Math.Max(q.Y, q.Z));
            Assert.Equal(expected, d[i], 1e-5);
        }
    }

    [Fact]
    public void Many_queries_on_a_large_mesh_are_fast()
    {
        var mesh = MeshPrimitives.Icosphere(1, 6); // 81 920 triangles
        var sw = Stopwatch.StartNew();
        var distance = new MeshDistance(mesh);
        long build = sw.ElapsedMilliseconds;
        var pts = RandomPoints(50_000, new AxisAlignedBox(new Vector3(-1.5f), new Vector3(1.5f)), 1); // a sphere's centre region is the worst case: every triangle is nearly as far
        sw.Restart();
        var d = distance.Distances(pts);
        double seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"MeshDistance: build {build} ms for {mesh.TriangleCount} triangles, {pts.Length / 3} queries in {seconds:F2} s");
        Assert.True(seconds < 30, $"50k queries took {seconds:F1} s");
        Assert.All(d, x => Assert.True(x >= 0 && float.IsFinite(x)));
    }
}
