using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// Signed distance to a mesh: the exact unsigned distance (<see cref="MeshDistance"/>) with the sign of the
/// generalized winding number (<see cref="WindingNumber"/>, fast version): negative inside (w &gt; ½),
/// positive outside, in the mesh's units. One BVH serves both. Robust to small holes and to meshes that
/// are not watertight, since the winding number degrades gracefully where the distance sign of a
/// nearest-normal test would flip.
/// </summary>
public sealed class SignedDistanceField
{
    /// <summary>Builds the shared BVH over <paramref name="mesh"/>.</summary>
    public SignedDistanceField(TriangleMesh mesh, double windingBeta = 2)
    {
        var bvh = new TriangleBvh(mesh);
        Distance = new MeshDistance(mesh, bvh);
        Winding = new WindingNumber(mesh, bvh, windingBeta);
    }

    /// <summary>The unsigned distance query.</summary>
    public MeshDistance Distance { get; }

    /// <summary>The inside/outside test.</summary>
    public WindingNumber Winding { get; }

    /// <summary>Signed distance at <paramref name="p"/>: −distance when w(p) &gt; ½, else +distance.</summary>
    public double At(Vector3 p)
    {
        double d = Distance.Distance(p);
        return Winding.At(p) > 0.5 ? -d : d;
    }

    /// <summary>Signed distances for xyz-interleaved <paramref name="points"/> (one output per point), in parallel.</summary>
    public void SignedDistance(ReadOnlySpan<float> points, Span<float> values)
    {
        var distance = Distance; var winding = Winding;
        PointQueries.Map(points, values, q =>
        {
            double d = Math.Sqrt(distance.Nearest(q, out _, out _));
            return winding.Fast(q) > 0.5 ? -d : d;
        }, nameof(SignedDistance));
    }

    /// <summary>Signed distances into a new array.</summary>
    public float[] SignedDistance(ReadOnlySpan<float> points)
    {
        var v = new float[points.Length / 3];
        SignedDistance(points, v);
        return v;
    }
}
