using MuonInr.Geometry;
using MuonInr.Tensors;

namespace MuonInr.Tasks.Sdf;

/// <summary>
/// Training samples of a signed distance field as in BACON's <c>MeshSDF</c> (Lindell et al. 2022, which the
/// paper follows, B.3): points on the surface moved by Laplacian noise, alternately at a coarse scale (even
/// indices) and a fine scale (odd indices), wrapped back into [−0.5, 0.5]³ when the noise pushes them out;
/// each with its exact signed distance (BVH distance, generalized-winding-number sign). BACON draws
/// surface points from a dense point cloud's vertices and estimates the distance from the three nearest;
/// we draw them uniformly over the triangle mesh's area and compute the distance exactly.
/// <para>
/// Precomputed once as a pool and cycled (<see cref="Batch"/>): ground-truth distances for a fresh batch
/// every step would cost more than the network's step at these widths. The pool holds many batches, so a
/// run revisits each sample only every pool / batch steps (e.g. 2²⁰ / 10,000 ≈ 105).
/// </para>
/// </summary>
public sealed class SdfSamplePool
{
    /// <summary>Draws <paramref name="count"/> samples (even) of <paramref name="field"/> over the mesh it was built on.</summary>
    public SdfSamplePool(TriangleMesh mesh, SignedDistanceField field, int count, double coarseScale, double fineScale, ulong seed)
    {
        if (count < 2 || count % 2 != 0) throw new ArgumentOutOfRangeException(nameof(count), $"The sample pool needs an even count ≥ 2, got {count}.");
        var surface = mesh.SampleSurface(count, (int)(seed & 0x7FFFFFFF));
        Points = surface.Points;
        var rng = new Rng(seed + 1);
        for (int i = 0; i < count; i++)
        {
            double b = i % 2 == 0 ? coarseScale : fineScale;
            for (int d = 0; d < 3; d++)
            {
                float v = Points[3 * i + d] + (float)Laplace(rng, b);
                if (v > 0.5f) v -= 1f;
                if (v < -0.5f) v += 1f;
                Points[3 * i + d] = v;
            }
        }
        Distances = field.SignedDistance(Points);
    }

    /// <summary>Points [count, 3], xyz interleaved; even rows coarse, odd rows fine.</summary>
    public float[] Points { get; }

    /// <summary>Signed distances [count] (negative inside), in normalized units.</summary>
    public float[] Distances { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Distances.Length;

    /// <summary>
    /// Copies batch <paramref name="index"/> (0-based) of <paramref name="size"/> samples (even) into the
    /// buffers: samples [index·size, (index + 1)·size) modulo the pool, so even rows stay coarse.
    /// </summary>
    public void Batch(long index, int size, Span<float> points, Span<float> distances)
    {
        long start = index * size % Count;
        for (int r = 0; r < size; r++)
        {
            int s = (int)((start + r) % Count);
            points[3 * r] = Points[3 * s]; points[3 * r + 1] = Points[3 * s + 1]; points[3 * r + 2] = Points[3 * s + 2];
            distances[r] = Distances[s];
        }
    }

    // Laplace(0, b) by inversion: u uniform in (−½, ½), x = −b·sign(u)·ln(1 − 2|u|).
    private static double Laplace(Rng rng, double b)
    {
        double u = rng.NextDouble() - 0.5;
        double a = Math.Max(1e-300, 1 - 2 * Math.Abs(u));
        return -b * Math.Sign(u) * Math.Log(a);
    }
}
