using System.Globalization;
using System.Numerics;
using MuonInr.Geometry;
using MuonInr.IO;
using MuonInr.Rendering;
using MuonInr.Tensors;

namespace MuonInr.Tasks.Sdf;

/// <summary>
/// A mesh made ready to fit as a signed distance field. The model is evaluated on an N³ grid over
/// [−0.5, 0.5]³ (marching cubes, IoU) followed by a fixed validation set of coarse and fine samples
/// (the loss terms reported at the end); rows [0, N³) are the grid (x fastest, <see cref="MarchingCubes"/>'
/// layout), the rest the validation samples.
/// </summary>
public sealed class SdfProblem : FitProblem
{
    private const int ValidationSamples = 20_000;
    private static readonly AxisAlignedBox Cube = new(new Vector3(-0.5f), new Vector3(0.5f));
    private readonly Tensor _coords;
    private readonly SdfObjective _objective;
    private readonly bool[] _inside;
    private readonly float[] _validationDistances;
    private readonly int _grid, _chamferSamples;
    private readonly double _coarseWeight;
    private readonly UnitCubeNormalization _transform;
    private readonly string _name;
    private (float[] Prediction, TriangleMesh Mesh)? _lastMesh;

    /// <summary>Normalizes <paramref name="original"/>, draws the sample pools and the ground truth on the grid.</summary>
    public SdfProblem(TriangleMesh original, string name, TaskContext c)
    {
        _name = name;
        (Mesh, _transform) = original.NormalizeToUnitCube(c.Number("margin"));
        _grid = c.Integer("grid");
        _chamferSamples = c.Integer("chamfer_samples");
        _coarseWeight = c.Number("coarse_weight");
        double coarse = c.Number("coarse_scale"), fine = c.Number("fine_scale");
        Field = new SignedDistanceField(Mesh);
        var pool = new SdfSamplePool(Mesh, Field, c.Integer("pool"), coarse, fine, c.Seed + 1);
        _objective = new SdfObjective(pool, c.Integer("samples"), c.Chunk, _coarseWeight);
        var validation = new SdfSamplePool(Mesh, Field, ValidationSamples, coarse, fine, c.Seed + 2);
        _validationDistances = validation.Distances;

        long cells = (long)_grid * _grid * _grid;
        var coords = new float[(cells + ValidationSamples) * 3];
        for (int k = 0; k < _grid; k++) MarchingCubes.SlicePoints(coords.AsSpan((int)(3L * k * _grid * _grid), 3 * _grid * _grid), k, _grid, Cube);
        validation.Points.CopyTo(coords, (int)(3 * cells));
        var winding = Field.Winding.Compute(coords.AsSpan(0, (int)(3 * cells)));
        _inside = new bool[cells];
        for (long i = 0; i < cells; i++) _inside[i] = winding[i] > 0.5f;
        _coords = Tensor.FromData(coords, (int)(cells + ValidationSamples), 3).Escape();
    }

    /// <summary>The mesh in normalized coordinates (what the network fits).</summary>
    public TriangleMesh Mesh { get; }

    /// <summary>Ground truth: distance and winding number of <see cref="Mesh"/>.</summary>
    public SignedDistanceField Field { get; }

    private int Cells => _grid * _grid * _grid;

    /// <inheritdoc />
    public override int InFeatures => 3;
    /// <inheritdoc />
    public override int OutFeatures => 1;
    /// <inheritdoc />
    public override string SignalDescription => string.Create(CultureInfo.InvariantCulture,
        $"{_name}: {Mesh.VertexCount} vertices, {Mesh.TriangleCount} triangles, scaled by {_transform.Scale:G4} into the unit cube; evaluated on {_grid}³");
    /// <inheritdoc />
    public override ITrainingObjective Objective => _objective;
    /// <inheritdoc />
    public override Tensor EvaluationCoordinates => _coords;
    /// <inheritdoc />
    public override string QualityName => "iou";

    /// <inheritdoc />
    public override double Quality(float[] prediction) => Iou(prediction);

    private double Iou(float[] prediction)
    {
        var occupied = new bool[Cells];
        for (int i = 0; i < occupied.Length; i++) occupied[i] = prediction[i] < 0;
        return VolumetricIou.FromOccupancy(occupied, _inside);
    }

    /// <summary>The zero level set of a prediction by marching cubes (normalized coordinates); null when empty.</summary>
    public TriangleMesh? Surface(float[] prediction)
    {
        if (_lastMesh is { } last && ReferenceEquals(last.Prediction, prediction)) return last.Mesh.TriangleCount > 0 ? last.Mesh : null;
        var mesh = MarchingCubes.Extract(prediction.AsSpan(0, Cells), _grid, Cube);
        _lastMesh = (prediction, mesh);
        return mesh.TriangleCount > 0 ? mesh : null;
    }

    /// <inheritdoc />
    public override IReadOnlyList<TaskMetric> Metrics(float[] prediction)
    {
        var surface = Surface(prediction);
        var chamfer = surface is null ? null : ChamferDistance.Measure(Mesh, surface, _chamferSamples, seed: 7);
        double l1 = chamfer?.MeanL1 ?? double.NaN, squared = chamfer?.SquaredSum ?? double.NaN;
        double fine = 0, coarse = 0;
        for (int i = 0; i < ValidationSamples; i++)
        {
            double d = prediction[Cells + i] - _validationDistances[i];
            if (i % 2 == 0) coarse += d * d; else fine += d * d;
        }
        string grid = $"{_grid}³ grid over [−0.5, 0.5]³";
        string empty = surface is null ? " (the prediction has no zero crossing on the grid: no surface)" : "";
        return
        [
            new("iou", Iou(prediction), "", $"volumetric IoU of inside (prediction < 0 | ground-truth winding number > ½) on the {grid}"),
            new("chamfer", l1, "", $"L1 Chamfer: mean unsigned distance from {_chamferSamples} area-uniform points of each surface to the other surface, averaged over both directions, normalized units (shape in the unit cube){empty}"),
            new("chamfer_squared", squared, "", $"squared Chamfer: mean squared point-to-surface distance, summed over both directions, same points{empty}"),
            new("sdf_fine", fine / (ValidationSamples / 2), "", "mean squared SDF error on 10,000 fixed fine samples (Laplace offsets at fine_scale)"),
            new("sdf_coarse", coarse / (ValidationSamples / 2), "", "mean squared SDF error on 10,000 fixed coarse samples (Laplace offsets at coarse_scale)"),
        ];
    }

    /// <inheritdoc />
    public override TaskArtifacts Artifacts(IReadOnlyList<(string Label, float[] Prediction)> runs)
    {
        var a = new TaskArtifacts();
        var surfaces = runs.Select(r => Surface(r.Prediction)).ToList();
        if (runs.Count == 1 && surfaces[0] is { } s)
            a.Files.Add(("mesh.ply", MeshWriter.EncodePly(ToOriginal(s))));
        var rows = new List<TriangleMesh?> { Mesh };
        rows.AddRange(surfaces);
        var (rgb, w, h) = MeshShading.Grid(rows, 256);
        byte[] png = Png.Encode(PngImage.FromFloat(rgb, w, h, 3));
        a.Files.Add(("views.png", png));
        string names = string.Join(", ", runs.Select((r, i) => (r.Label.Length > 0 ? r.Label : "reconstruction") + (surfaces[i] is null ? " (empty)" : "")));
        a.Sections.Add(new ReportSection("Shape")
        {
            Paragraph = $"Rows: ground truth, then {names}. Columns: {string.Join(", ", MeshShading.Views.Select(v => v.Name))} views (orthographic, unit cube). The reconstruction is the marching-cubes zero level set on the {_grid}³ grid; mesh.ply holds it in the input's units.",
            Images = [("shaded views", png)],
        });
        return a;
    }

    // Normalized → the input mesh's units, so mesh.ply overlays the input.
    private TriangleMesh ToOriginal(TriangleMesh m)
    {
        var v = (float[])m.Vertices.Clone();
        for (int i = 0; i < v.Length; i += 3)
        {
            var p = _transform.Invert(new Vector3(v[i], v[i + 1], v[i + 2]));
            v[i] = p.X; v[i + 1] = p.Y; v[i + 2] = p.Z;
        }
        return new TriangleMesh(v, (int[])m.Triangles.Clone());
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _objective.Dispose();
        _coords.Dispose();
        base.Dispose();
    }
}
