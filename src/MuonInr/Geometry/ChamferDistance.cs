namespace MuonInr.Geometry;

/// <summary>
/// Chamfer distance between two meshes: <c>samples</c> points drawn uniformly (area-weighted, seeded) on
/// each surface, and for every point its distance to the other mesh's surface (point-to-surface through
/// <see cref="MeshDistance"/>, not to the other's samples: no sampling floor, identical meshes give 0 up to
/// double rounding, ~1e-16). <see cref="ChamferConvention"/> names the two conventions; both come out of
/// one <see cref="Measure"/>. Samples are drawn in double on the float triangles.
/// Cost: two BVH builds and 2·samples nearest-point queries, in parallel.
/// </summary>
public static class ChamferDistance
{
    /// <summary>The Chamfer distance of <paramref name="a"/> and <paramref name="b"/> in <paramref name="convention"/>.</summary>
    public static double Compute(TriangleMesh a, TriangleMesh b, ChamferConvention convention, int samples = 30_000, int seed = 0)
        => Measure(a, b, samples, seed).Value(convention);

    /// <summary>
    /// Both directed halves, means of distances and of squared distances. A's samples use
    /// <paramref name="seed"/>, B's seed + 1.
    /// </summary>
    /// <exception cref="InvalidOperationException">A mesh has no area to sample.</exception>
    public static ChamferResult Measure(TriangleMesh a, TriangleMesh b, int samples = 30_000, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(a); ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var (ab, ab2) = Directed(a, new MeshDistance(b), samples, seed);
        var (ba, ba2) = Directed(b, new MeshDistance(a), samples, unchecked(seed + 1));
        return new ChamferResult(ab, ba, ab2, ba2, samples);
    }

    // Mean distance and mean squared distance from samples of `from` to the surface of `to`.
    private static (double Mean, double MeanSquared) Directed(TriangleMesh from, MeshDistance to, int samples, int seed)
    {
        var points = new double[3 * samples];
        from.SampleSurfaceInto(samples, seed, points, new int[samples]);
        var d = new double[samples];
        to.Distances(points, d);
        double sum = 0, sum2 = 0;
        foreach (double x in d) { sum += x; sum2 += x * x; }
        return (sum / samples, sum2 / samples);
    }
}
