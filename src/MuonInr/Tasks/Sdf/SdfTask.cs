using MuonInr.Geometry;

namespace MuonInr.Tasks.Sdf;

/// <summary>
/// The paper's shape task (B.3, following Davies et al. 2020 and BACON, Lindell et al. 2022): a triangle
/// mesh is normalized into the unit cube, a network x ↦ signed distance is fitted to surface samples moved
/// by Laplacian noise at a coarse and a fine scale with BACON's weighted loss, and the zero level set is
/// extracted by marching cubes and compared with the mesh by Chamfer distance and volumetric IoU.
/// </summary>
public sealed class SdfTask : IFitTask
{
    /// <inheritdoc />
    public string Name => "sdf";
    /// <inheritdoc />
    public string Description => "Fit a signed distance field to a mesh (x ↦ signed distance); write the marching-cubes mesh, shaded views and Chamfer / IoU.";
    /// <inheritdoc />
    public string DataDescription => "OBJ or PLY mesh ('generated' for a built-in torus)";
    /// <inheritdoc />
    public IReadOnlyList<TaskOption> Options { get; } =
    [
        new TaskOption("samples", TaskOptionKind.Integer, "Samples per step (even; half coarse, half fine).") { Min = 2, Max = 10_000_000 },
        new TaskOption("pool", TaskOptionKind.Integer, "Precomputed samples cycled through, a batch per step (even, ≥ samples).") { Min = 2, Max = 100_000_000 },
        new TaskOption("coarse_scale", TaskOptionKind.Number, "Laplace scale of the coarse samples' offsets (normalized units).") { Min = 0, MinExclusive = true },
        new TaskOption("fine_scale", TaskOptionKind.Number, "Laplace scale of the fine samples' offsets (normalized units).") { Min = 0, MinExclusive = true },
        new TaskOption("coarse_weight", TaskOptionKind.Number, "Weight of the coarse samples' squared errors in the loss.") { Min = 0 },
        new TaskOption("grid", TaskOptionKind.Integer, "Grid points per axis for marching cubes and IoU (128; 256 is 8x the evaluation cost and ~400 MB).") { Min = 16, Max = 256 },
        new TaskOption("margin", TaskOptionKind.Number, "The shape's longest side spans 1 − margin of the unit cube.") { Min = 0, Max = 0.9 },
        new TaskOption("chamfer_samples", TaskOptionKind.Integer, "Points sampled on each surface for the Chamfer distance.") { Min = 100, Max = 10_000_000 },
    ];

    /// <inheritdoc />
    public FitProblem Prepare(TaskContext c)
    {
        TriangleMesh mesh;
        if (c.IsGenerated) mesh = GeneratedShapes.Torus();
        else
        {
            if (Directory.Exists(c.Data)) throw new ArgumentException($"'{c.Data}' is a directory, not a mesh file.");
            if (!File.Exists(c.Data)) throw new FileNotFoundException($"Mesh file '{c.Data}' does not exist.", c.Data);
            mesh = MeshReader.Read(c.Data);
        }
        int samples = c.Integer("samples"), pool = c.Integer("pool");
        if (samples % 2 != 0) throw new ArgumentException($"options.samples must be even (half coarse, half fine), got {samples}.");
        if (pool % 2 != 0 || pool < samples) throw new ArgumentException($"options.pool must be even and at least options.samples ({samples}), got {pool}.");
        if (mesh.TriangleCount == 0 || mesh.SurfaceArea <= 0) throw new ArgumentException($"'{c.Data}' has no surface (no triangle of non-zero area); an SDF needs one.");
        return new SdfProblem(mesh, c.IsGenerated ? "generated torus" : Path.GetFileName(c.Data), c);
    }
}
