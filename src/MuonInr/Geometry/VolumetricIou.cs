namespace MuonInr.Geometry;

/// <summary>
/// Volumetric intersection-over-union |A ∩ B| / |A ∪ B| of two shapes, by occupancy at the centres of an
/// N³ voxel grid over a given box: voxel (i, j, k) is the point min + (i + ½, j + ½, k + ½)·(max − min)/N.
/// A mesh occupies a point when its generalized winding number there exceeds ½ (so open or slightly
/// broken meshes still work); a signed field when its value is below 0 (an SDF is negative inside).
/// Fields are evaluated one z-slice (N² points) at a time. Two empty shapes give IoU 1 (they agree).
/// The box must hold both shapes: occupancy outside it is not seen.
/// </summary>
public static class VolumetricIou
{
    /// <summary>Default voxels per axis.</summary>
    public const int DefaultResolution = 128;

    /// <summary>IoU of two meshes.</summary>
    public static double Compute(TriangleMesh a, TriangleMesh b, AxisAlignedBox bounds, int resolution = DefaultResolution)
        => FromOccupancy(Occupancy(a, bounds, resolution), Occupancy(b, bounds, resolution));

    /// <summary>IoU of a signed field (negative inside; e.g. a network's SDF) and a mesh.</summary>
    public static double Compute(FieldEvaluator field, TriangleMesh mesh, AxisAlignedBox bounds, int resolution = DefaultResolution)
        => FromOccupancy(Occupancy(field, bounds, resolution), Occupancy(mesh, bounds, resolution));

    /// <summary>IoU of two signed fields (negative inside).</summary>
    public static double Compute(FieldEvaluator a, FieldEvaluator b, AxisAlignedBox bounds, int resolution = DefaultResolution)
        => FromOccupancy(Occupancy(a, bounds, resolution), Occupancy(b, bounds, resolution));

    /// <summary>Occupancy of a mesh (winding number &gt; ½) at the voxel centres, x fastest.</summary>
    public static bool[] Occupancy(TriangleMesh mesh, AxisAlignedBox bounds, int resolution = DefaultResolution)
    {
        var winding = new WindingNumber(mesh);
        return Occupancy((points, values) =>
        {
            winding.Compute(points, values);
            for (int i = 0; i < values.Length; i++) values[i] = 0.5f - values[i]; // negative inside, like an SDF
        }, bounds, resolution);
    }

    /// <summary>Occupancy of a signed field (value &lt; 0) at the voxel centres, x fastest.</summary>
    public static bool[] Occupancy(FieldEvaluator field, AxisAlignedBox bounds, int resolution = DefaultResolution)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (resolution < 1 || (long)resolution * resolution * resolution > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(resolution), resolution, "The voxel grid needs 1 ≤ N and N³ within an array.");
        if (!(bounds.Min.X < bounds.Max.X && bounds.Min.Y < bounds.Max.Y && bounds.Min.Z < bounds.Max.Z))
            throw new ArgumentException($"The box must have positive size on every axis, got {bounds.Min} to {bounds.Max}.", nameof(bounds));
        int n = resolution, slice = n * n;
        var inside = new bool[slice * n];
        var points = new float[3 * slice];
        var values = new float[slice];
        for (int k = 0; k < n; k++)
        {
            float z = Centre(bounds.Min.Z, bounds.Max.Z, k, n);
            for (int j = 0, o = 0; j < n; j++)
            {
                float y = Centre(bounds.Min.Y, bounds.Max.Y, j, n);
                for (int i = 0; i < n; i++, o += 3) { points[o] = Centre(bounds.Min.X, bounds.Max.X, i, n); points[o + 1] = y; points[o + 2] = z; }
            }
            field(points, values);
            for (int i = 0; i < slice; i++) inside[k * slice + i] = values[i] < 0;
        }
        return inside;
    }

    /// <summary>|A ∩ B| / |A ∪ B| of two occupancy grids of equal size (1 when both are empty).</summary>
    public static double FromOccupancy(ReadOnlySpan<bool> a, ReadOnlySpan<bool> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Occupancy grids differ in size: {a.Length} and {b.Length}.");
        long both = 0, either = 0;
        for (int i = 0; i < a.Length; i++) { both += a[i] & b[i] ? 1 : 0; either += a[i] | b[i] ? 1 : 0; }
        return either == 0 ? 1 : (double)both / either;
    }

    private static float Centre(float min, float max, int i, int n) => (float)(min + ((double)max - min) * (i + 0.5) / n);
}
