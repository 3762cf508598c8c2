using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// The similarity transform applied by <see cref="TriangleMesh.NormalizeToUnitCube"/>:
/// p' = (p − <see cref="Center"/>) · <see cref="Scale"/>. Distances scale by <see cref="Scale"/> too, so a
/// distance d' measured in normalized units is d' / Scale in the mesh's original units.
/// </summary>
public readonly record struct UnitCubeNormalization(Vector3 Center, double Scale)
{
    /// <summary>Original → normalized coordinates.</summary>
    public Vector3 Apply(Vector3 p) => (p - Center) * (float)Scale;

    /// <summary>Normalized → original coordinates.</summary>
    public Vector3 Invert(Vector3 p) => p / (float)Scale + Center;

    /// <summary>A distance in normalized units expressed in original units.</summary>
    public double DistanceToOriginal(double normalizedDistance) => normalizedDistance / Scale;
}
