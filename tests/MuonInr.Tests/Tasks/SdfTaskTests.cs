using System.Text.Json.Nodes;
using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Geometry;
using MuonInr.Reports;
using MuonInr.Tasks;
using MuonInr.Tasks.Sdf;
using MuonInr.Tensors;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Tasks;

/// <summary>The SDF task plug-in: sampling, loss, fit/compare/resume through the one pipeline, bad input.</summary>
public class SdfTaskTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-sdf-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    private string P(string name) => Path.Combine(_dir, name);

    // Small enough for a unit test: 24³ grid, 2,000 samples per step from a pool of 8,000.
    private static RunSpec Spec(string optimizer, string model = "siren", int steps = 30) => new RunSpec
    {
        Task = "sdf", Data = "generated", Model = new ModelSpec { Name = model, Hidden = 16, Layers = 4 },
        Optimizer = new OptimizerSpec { Name = optimizer }, Steps = steps, EvalEvery = 10, RankEvery = 15, Seed = 3,
    }.WithOption("grid", 24).WithOption("samples", 2000).WithOption("pool", 8000).WithOption("chamfer_samples", 2000);

    [Fact]
    public void The_sample_pool_is_deterministic_alternates_coarse_and_fine_and_stays_in_the_cube()
    {
        var mesh = GeneratedShapes.Torus().NormalizeToUnitCube(0.1).Mesh;
        var field = new SignedDistanceField(mesh);
        var a = new SdfSamplePool(mesh, field, 4000, 0.1, 1e-3, 5);
        var b = new SdfSamplePool(mesh, field, 4000, 0.1, 1e-3, 5);
        Assert.Equal(a.Points, b.Points);
        Assert.Equal(a.Distances, b.Distances);
        Assert.All(a.Points, v => Assert.InRange(v, -0.5f, 0.5f));
        // Fine samples sit within a few fine scales of the surface; coarse ones spread ~100x wider.
        var fine = a.Distances.Where((_, i) => i % 2 == 1).Select(Math.Abs).Order().ToArray();
        var coarse = a.Distances.Where((_, i) => i % 2 == 0).Select(Math.Abs).Order().ToArray();
        Assert.InRange(fine[fine.Length / 2], 1e-4, 3e-3);
        Assert.InRange(coarse[coarse.Length / 2], 2e-2, 0.2);
        // Batches walk through the pool and keep the parity of the rows.
        var pts = new float[600]; var d = new float[200];
        a.Batch(21, 200, pts, d); // starts at 4200 mod 4000 = 200
        Assert.Equal(a.Distances[200], d[0]);
        Assert.Equal(a.Distances[399], d[199]);
    }

    [Fact]
    public void The_loss_is_bacon_s_weighted_sum_and_chunks_add_up_to_the_batch()
    {
        var mesh = GeneratedShapes.Torus().NormalizeToUnitCube(0.1).Mesh;
        var field = new SignedDistanceField(mesh);
        var pool = new SdfSamplePool(mesh, field, 2000, 0.1, 1e-3, 1);
        using var model = Architectures.Create(new ModelSpec { Name = "relu-mlp", Hidden = 8, Layers = 3, Omega = null }, 3, 1, new Rng(2));
        double Run(int chunk, out float[] grad)
        {
            using var obj = new SdfObjective(pool, 1000, chunk, 0.01);
            obj.BeginStep(2); // samples 1000..1999
            foreach (var p in model.Parameters()) { p.Grad?.Dispose(); p.Grad = null; }
            double loss = 0;
            for (int c = 0; c < obj.ChunkCount; c++) { using var scope = new TensorScope(); loss += obj.AccumulateChunk(model, c); }
            grad = model.Parameters().First().Grad!.ToArray();
            return loss;
        }
        double full = Run(0, out var gFull), chunked = Run(300, out var gChunked);
        Assert.Equal(full, chunked, 1e-4 * full);
        for (int i = 0; i < gFull.Length; i++) Assert.Equal(gFull[i], gChunked[i], 1e-4f * (1 + MathF.Abs(gFull[i])));
        // Independent evaluation of Σ_fine e² + 0.01·Σ_coarse e² on rows 1000..1999 of the pool.
        var x = Tensor.FromData(pool.Points.AsSpan(3000, 3000), 1000, 3);
        float[] y;
        using (MuonInr.Autograd.GradMode.NoGrad()) y = model.Forward(x).ToArray();
        double expected = 0;
        for (int r = 0; r < 1000; r++) { double e = y[r] - pool.Distances[1000 + r]; expected += ((1000 + r) % 2 == 0 ? 0.01 : 1) * e * e; }
        Assert.Equal(expected, full, 1e-4 * expected);
    }

    [Fact]
    public void Fit_writes_mesh_views_and_metrics_of_a_recognisable_torus()
    {
        // SIREN (9 x 32, the presets) + Adam 2e-4 at a constant LR (BACON's optimizer, lr near its 1e-4):
        // IoU 0.39 after 200 steps of 4,000 samples on this seed; the threshold leaves room for thread counts.
        var spec = new RunSpec
        {
            Task = "sdf", Data = "generated", Model = new ModelSpec { Name = "siren" }, Steps = 200, EvalEvery = 50, RankEvery = 100, Seed = 3,
            Optimizer = new OptimizerSpec { Name = "adam", Lr = 2e-4, Schedule = "constant" },
        }.WithOption("grid", 24).WithOption("samples", 4000).WithOption("pool", 16000).WithOption("chamfer_samples", 2000);
        using var fit = Runs.Fit(spec, new RunOptions { OutDir = P("fit") });
        foreach (var f in new[] { "mesh.ply", "views.png", "summary.json", "report.html", "config.json" })
            Assert.True(File.Exists(P("fit/" + f)), f);
        Assert.True(MeshReader.Read(P("fit/mesh.ply")).TriangleCount > 100);
        var summary = JsonNode.Parse(File.ReadAllText(P("fit/summary.json")))!;
        foreach (var m in new[] { "iou", "chamfer", "chamfer_squared", "sdf_fine", "sdf_coarse" })
            Assert.NotNull((double?)summary["metrics"]![m]!["value"]);
        Assert.InRange(fit.Summary.Metric("iou")!.Value, 0.25, 1.0);
        Assert.InRange(fit.Summary.Metric("chamfer")!.Value, 0, 0.1);
    }

    [Fact]
    public void An_sdf_run_stopped_and_resumed_equals_an_uninterrupted_one()
    {
        var spec = Spec("muon", steps: 20);
        using var full = Runs.Fit(spec);
        int steps = 0;
        using (var stopped = Runs.Fit(spec, new RunOptions { OutDir = P("first"), Progress = p => steps = p.Step, ShouldStop = () => steps >= 9 }))
            Assert.Equal("interrupted", stopped.Summary.Status);
        using var resumed = Runs.Fit(spec, new RunOptions { OutDir = P("second"), ResumeFrom = P("first") });
        Assert.Equal(full.Prediction, resumed.Prediction);
    }

    [Fact]
    public void Bad_meshes_and_options_fail_with_one_line()
    {
        var r = CliRunner.Run(["fit", "sdf", P("missing.obj"), "--steps", "1"]);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("missing.obj", r.Err);
        Directory.CreateDirectory(_dir);
        File.WriteAllText(P("bad.obj"), "v 0 0 0\nv 1 0 0\nf 1 2 7\n");
        r = CliRunner.Run(["fit", "sdf", P("bad.obj"), "--steps", "1"]);
        Assert.NotEqual(0, r.Code);
        Assert.DoesNotContain("   at ", r.Err);
        r = CliRunner.Run(["fit", "sdf", "generated", "--samples", "1001", "--steps", "1"]);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("even", r.Err);
    }
}
