namespace MuonInr.Geometry;

/// <summary>
/// The two directed halves of a Chamfer distance between meshes A and B, as means over the surface
/// samples of each: <see cref="MeanAtoB"/> = mean over samples a of A of d(a, B), and so on, in the meshes'
/// units (squared units for the squared means).
/// </summary>
public sealed record ChamferResult(double MeanAtoB, double MeanBtoA, double MeanSquaredAtoB, double MeanSquaredBtoA, int Samples)
{
    /// <summary>½ (MeanAtoB + MeanBtoA): <see cref="ChamferConvention.MeanL1"/>.</summary>
    public double MeanL1 => 0.5 * (MeanAtoB + MeanBtoA);

    /// <summary>MeanSquaredAtoB + MeanSquaredBtoA: <see cref="ChamferConvention.SquaredSum"/>.</summary>
    public double SquaredSum => MeanSquaredAtoB + MeanSquaredBtoA;

    /// <summary>The value in <paramref name="convention"/>.</summary>
    public double Value(ChamferConvention convention) => convention == ChamferConvention.SquaredSum ? SquaredSum : MeanL1;
}
