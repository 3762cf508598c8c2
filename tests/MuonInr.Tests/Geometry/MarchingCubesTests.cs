using System.Numerics;
using MuonInr.Geometry;
using static MuonInr.Tests.Geometry.GeometryTestMeshes;

namespace MuonInr.Tests.Geometry;

public class MarchingCubesTests
{
    private static readonly AxisAlignedBox Cube = new(new Vector3(-1), new Vector3(1));

    private static float[] Grid(int n, Func<Vector3, float> f)
    {
        var v = new float[n * n * n];
        var slice = new float[3 * n * n];
        for (int k = 0; k < n; k++)
        {
            MarchingCubes.SlicePoints(slice, k, n, Cube);
            for (int i = 0; i < n * n; i++) v[k * n * n + i] = f(new Vector3(slice[3 * i], slice[3 * i + 1], slice[3 * i + 2]));
        }
        return v;
    }

    [Fact]
    public void Tables_give_closed_oriented_surfaces_for_every_single_cube_case()
    {
        // Each of the 256 cases on a 2×2×2 grid inside a 4³ grid of outside values: the surface is closed.
        for (int c = 0; c < 256; c++)
        {
            var v = new float[64];
            Array.Fill(v, 1f);
            for (int corner = 0; corner < 8; corner++)
            {
                int x = 1 + (corner is 1 or 2 or 5 or 6 ? 1 : 0), y = 1 + (corner is 2 or 3 or 6 or 7 ? 1 : 0), z = 1 + (corner >= 4 ? 1 : 0);
                v[x + 4 * (y + 4 * z)] = (c >> corner & 1) != 0 ? -1f : 1f;
            }
            var mesh = MarchingCubes.Extract(v, 4, Cube);
            if (c == 0) { Assert.Equal(0, mesh.TriangleCount); continue; }
            Assert.Null(ClosedAndOriented(mesh));
            Assert.True(SignedVolume(mesh) > 0, $"case {c}: inward orientation");
        }
    }

    [Fact]
    public void Random_fields_give_closed_surfaces()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 20; trial++)
        {
            const int n = 8;
            var v = new float[n * n * n];
            for (int i = 0; i < v.Length; i++)
            {
                int x = i % n, y = i / n % n, z = i / (n * n);
                bool border = x == 0 || y == 0 || z == 0 || x == n - 1 || y == n - 1 || z == n - 1;
                v[i] = border ? 1 : (float)(rng.NextDouble() * 2 - 1);
            }
            var mesh = MarchingCubes.Extract(v, n, Cube);
            Assert.Null(ClosedAndOriented(mesh));
        }
    }

    [Fact]
    public void Sphere_sdf_gives_a_closed_outward_sphere()
    {
        const int n = 64; const float r = 0.6f;
        var mesh = MarchingCubes.Extract(Grid(n, p => p.Length() - r), n, Cube);
        Assert.True(mesh.TriangleCount > 1000);
        Assert.Null(ClosedAndOriented(mesh));
        for (int i = 0; i < mesh.VertexCount; i++) Assert.True(Math.Abs(mesh.Vertex(i).Length() - r) < 2e-3, $"vertex {i} at radius {mesh.Vertex(i).Length()}");
        Assert.Equal(4 * Math.PI * r * r, mesh.SurfaceArea, 0.03 * 4 * Math.PI * r * r);
        var w = new WindingNumber(mesh);
        Assert.Equal(1, w.At(Vector3.Zero), 0.01);
        Assert.Equal(1, w.At(new Vector3(0.5f, 0, 0)), 0.05);
        Assert.Equal(0, w.At(new Vector3(0.7f, 0, 0)), 0.05);
        Assert.Equal(0, w.At(new Vector3(3, 2, 1)), 0.01);
    }

    [Fact]
    public void Function_form_matches_the_grid_form_and_evaluates_slice_by_slice()
    {
        const int n = 33;
        Func<Vector3, float> f = p => Vector3.Distance(p, new Vector3(0.1f, -0.2f, 0.05f)) - 0.55f;
        var fromGrid = MarchingCubes.Extract(Grid(n, f), n, Cube);
        int calls = 0, maxBatch = 0;
        var fromField = MarchingCubes.Extract((points, values) =>
        {
            calls++; maxBatch = Math.Max(maxBatch, values.Length);
            for (int i = 0; i < values.Length; i++) values[i] = f(new Vector3(points[3 * i], points[3 * i + 1], points[3 * i + 2]));
        }, n, Cube);
        Assert.Equal(n, calls);
        Assert.Equal(n * n, maxBatch);
        Assert.Equal(fromGrid.Vertices, fromField.Vertices);
        Assert.Equal(fromGrid.Triangles, fromField.Triangles);
    }

    [Fact]
    public void Plane_and_empty_fields()
    {
        const int n = 11;
        Assert.Equal(0, MarchingCubes.Extract(Grid(n, _ => 1), n, Cube).TriangleCount);
        Assert.Equal(0, MarchingCubes.Extract(Grid(n, _ => -1), n, Cube).TriangleCount);
        var plane = MarchingCubes.Extract(Grid(n, p => p.Z - 0.05f), n, Cube); // z = 0.05 cuts between grid planes
        Assert.Equal(2 * (n - 1) * (n - 1), plane.TriangleCount);
        Assert.Equal(n * n, plane.VertexCount);
        Assert.Equal(4, plane.SurfaceArea, 4);
        for (int i = 0; i < plane.VertexCount; i++) Assert.Equal(0.05f, plane.Vertex(i).Z, 5);
        for (int t = 0; t < plane.TriangleCount; t++) Assert.True(plane.FaceNormal(t).Z > 0.99f, "normal towards +z (positive values)");
    }
}
