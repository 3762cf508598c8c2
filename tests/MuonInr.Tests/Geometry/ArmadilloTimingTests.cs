using System.Diagnostics;
using System.Numerics;
using MuonInr.Geometry;
using MuonInr.Tests.TestSupport;
using static MuonInr.Tests.Geometry.GeometryTestMeshes;

namespace MuonInr.Tests.Geometry;

/// <summary>
/// Speed and agreement of the queries on a real closed scan (Armadillo, 29 170 triangles), printed for the
/// XML docs. Sizes are cut to keep the test short (the docs quote 1M-point runs: multiply by 5).
/// </summary>
public class ArmadilloTimingTests
{
    [RequiresSharedFileFact("meshes/armadillo_odedstein.obj")]
    public void Distance_winding_and_extraction_on_Armadillo()
    {
        string path = SharedData.File("meshes/armadillo_odedstein.obj");
        var sw = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        string Cpu() { var now = Process.GetCurrentProcess().TotalProcessorTime; var used = now - cpu; cpu = now; return $"(cpu {used.TotalSeconds:F2} s)"; }
        var (mesh, _) = MeshReader.Read(path).NormalizeToUnitCube(0.1);
        Console.WriteLine($"read+normalize {sw.ElapsedMilliseconds} ms");
        sw.Restart(); Cpu();
        var sdf = new SignedDistanceField(mesh);
        Console.WriteLine($"BVH build {sw.ElapsedMilliseconds} ms ({mesh.TriangleCount} triangles)");
        var cube = new AxisAlignedBox(new Vector3(-0.5f), new Vector3(0.5f));
        var uniform = RandomPoints(200_000, cube, 1);
        sw.Restart(); Cpu();
        var d = sdf.Distance.Distances(uniform);
        Console.WriteLine($"distance, 200k uniform points: {sw.Elapsed.TotalSeconds:F2} s {Cpu()}");
        // Near-surface points (the bulk of SDF training samples).
        var near = mesh.SampleSurface(200_000, 2).Points;
        var rng = new Random(3);
        for (int i = 0; i < near.Length; i++) near[i] += (float)((rng.NextDouble() - 0.5) * 0.02);
        sw.Restart(); Cpu();
        sdf.Distance.Distances(near);
        Console.WriteLine($"distance, 200k near-surface points: {sw.Elapsed.TotalSeconds:F2} s {Cpu()}");
        var hundredK = uniform.AsSpan(0, 300_000).ToArray(); // 100k points, xyz
        sw.Restart(); Cpu();
        var fast = sdf.Winding.Compute(hundredK);
        Console.WriteLine($"fast winding number, 100k uniform points: {sw.Elapsed.TotalSeconds:F2} s {Cpu()}");
        var few = uniform.AsSpan(0, 6000).ToArray();
        var exact = new float[2000];
        sw.Restart(); Cpu();
        sdf.Winding.ComputeExact(few, exact);
        double exactSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"exact winding number, 2000 points: {exactSeconds:F2} s (100k: ~{exactSeconds * 50:F0} s)");
        double maxErr = 0;
        for (int i = 0; i < exact.Length; i++) maxErr = Math.Max(maxErr, Math.Abs(exact[i] - fast[i]));
        Console.WriteLine($"max |fast − exact| = {maxErr:E2}");
        Assert.True(maxErr < 0.02);
        sw.Restart(); Cpu();
        sdf.SignedDistance(uniform);
        Console.WriteLine($"signed distance, 200k uniform points: {sw.Elapsed.TotalSeconds:F2} s {Cpu()}");
        sw.Restart(); Cpu();
        var remeshed = MarchingCubes.Extract((p, v) => sdf.SignedDistance(p, v), 96, cube.Expanded(0.02f));
        Console.WriteLine($"marching cubes of the SDF at 96³: {sw.Elapsed.TotalSeconds:F2} s, {remeshed.TriangleCount} triangles");
        sw.Restart(); Cpu();
        var c = ChamferDistance.Measure(mesh, remeshed, 30_000);
        Console.WriteLine($"chamfer 30k samples: {sw.Elapsed.TotalSeconds:F2} s, L1 {c.MeanL1:E3}, squared-sum {c.SquaredSum:E3}");
        sw.Restart(); Cpu();
        double iou = VolumetricIou.Compute(mesh, remeshed, cube.Expanded(0.02f), 128);
        Console.WriteLine($"IoU at 128³: {sw.Elapsed.TotalSeconds:F2} s, {iou:F4}");
        Assert.Null(ClosedAndOriented(remeshed));
        Assert.True(iou > 0.97);
        Assert.True(c.MeanL1 < 2e-3);
        Assert.All(d, x => Assert.True(x >= 0));
    }
}
