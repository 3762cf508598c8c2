using System.Runtime.CompilerServices;

namespace MuonInr.Geometry;

/// <summary>
/// Closest point on a triangle to a query point, by Ericson's Voronoi-region method ("Real-Time Collision
/// Detection", §5.1.5), in double. Degenerate triangles (segments or points) fall back to the closest of
/// their three edges, so the result is always finite for finite input.
/// </summary>
internal static class ClosestPointOnTriangle
{
    /// <summary>Squared distance from <paramref name="p"/> to triangle abc; <paramref name="closest"/> receives the closest point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double DistanceSquared(Vector3d p, Vector3d a, Vector3d b, Vector3d c, out Vector3d closest)
    {
        closest = Closest(p, a, b, c);
        return (p - closest).LengthSquared();
    }

    /// <summary>The point of triangle abc nearest to <paramref name="p"/>.</summary>
    public static Vector3d Closest(Vector3d p, Vector3d a, Vector3d b, Vector3d c)
    {
        Vector3d ab = b - a, ac = c - a, ap = p - a;
        // A zero-length edge turns one of the region divisions below into 0/0.
        if (ab.LengthSquared() == 0 || ac.LengthSquared() == 0 || (c - b).LengthSquared() == 0) return ClosestOnEdges(p, a, b, c);
        double d1 = ab.Dot(ap), d2 = ac.Dot(ap);
        if (d1 <= 0 && d2 <= 0) return a; // vertex region A
        Vector3d bp = p - b;
        double d3 = ab.Dot(bp), d4 = ac.Dot(bp);
        if (d3 >= 0 && d4 <= d3) return b; // vertex region B
        double vc = d1 * d4 - d3 * d2;
        if (vc <= 0 && d1 >= 0 && d3 <= 0) return a + ab * (d1 / (d1 - d3)); // edge region AB
        Vector3d cp = p - c;
        double d5 = ab.Dot(cp), d6 = ac.Dot(cp);
        if (d6 >= 0 && d5 <= d6) return c; // vertex region C
        double vb = d5 * d2 - d1 * d6;
        if (vb <= 0 && d2 >= 0 && d6 <= 0) return a + ac * (d2 / (d2 - d6)); // edge region AC
        double va = d3 * d6 - d5 * d4;
        if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6))); // edge region BC
        double sum = va + vb + vc;
        if (!(sum > 0)) return ClosestOnEdges(p, a, b, c); // degenerate: no interior region
        double v = vb / sum, w = vc / sum; // face region: barycentric (1 − v − w, v, w)
        return a + ab * v + ac * w;
    }

    private static Vector3d ClosestOnEdges(Vector3d p, Vector3d a, Vector3d b, Vector3d c)
    {
        var best = OnSegment(p, a, b);
        double bestD = (p - best).LengthSquared();
        var q = OnSegment(p, b, c);
        double d = (p - q).LengthSquared();
        if (d < bestD) { best = q; bestD = d; }
        q = OnSegment(p, c, a);
        return (p - q).LengthSquared() < bestD ? q : best;
    }

    private static Vector3d OnSegment(Vector3d p, Vector3d a, Vector3d b)
    {
        var ab = b - a;
        double len2 = ab.LengthSquared();
        if (!(len2 > 0)) return a;
        double t = Math.Clamp((p - a).Dot(ab) / len2, 0, 1);
        return a + ab * t;
    }
}
