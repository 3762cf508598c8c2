using System.Numerics;

namespace MuonInr.Geometry;

/// <summary>
/// An axis-aligned box [<see cref="Min"/>, <see cref="Max"/>] in model units. <see cref="Empty"/> (Min = +∞,
/// Max = −∞) is the neutral element of <see cref="Union(Vector3)"/>.
/// </summary>
public readonly record struct AxisAlignedBox(Vector3 Min, Vector3 Max)
{
    /// <summary>The box that contains nothing.</summary>
    public static AxisAlignedBox Empty => new(new Vector3(float.PositiveInfinity), new Vector3(float.NegativeInfinity));

    /// <summary>True when Min ≤ Max fails on some axis (nothing inside).</summary>
    public bool IsEmpty => !(Min.X <= Max.X && Min.Y <= Max.Y && Min.Z <= Max.Z);

    /// <summary>Max − Min (side lengths).</summary>
    public Vector3 Size => Max - Min;

    /// <summary>(Min + Max) / 2.</summary>
    public Vector3 Center => (Min + Max) * 0.5f;

    /// <summary>The smallest box holding this box and <paramref name="p"/>.</summary>
    public AxisAlignedBox Union(Vector3 p) => new(Vector3.Min(Min, p), Vector3.Max(Max, p));

    /// <summary>This box grown by <paramref name="amount"/> on every side.</summary>
    public AxisAlignedBox Expanded(float amount) => new(Min - new Vector3(amount), Max + new Vector3(amount));

    /// <summary>Whether <paramref name="p"/> lies inside or on the boundary.</summary>
    public bool Contains(Vector3 p) => p.X >= Min.X && p.Y >= Min.Y && p.Z >= Min.Z && p.X <= Max.X && p.Y <= Max.Y && p.Z <= Max.Z;
}
