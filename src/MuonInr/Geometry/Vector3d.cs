using System.Runtime.CompilerServices;

namespace MuonInr.Geometry;

/// <summary>A double-precision 3-vector for the distance and solid-angle math (float storage, double arithmetic).</summary>
internal readonly record struct Vector3d(double X, double Y, double Z)
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector3d At(float[] xyz, int offset) => new(xyz[offset], xyz[offset + 1], xyz[offset + 2]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector3d At(ReadOnlySpan<double> xyz, int offset) => new(xyz[offset], xyz[offset + 1], xyz[offset + 2]);

    public static Vector3d operator +(Vector3d a, Vector3d b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
    public static Vector3d operator -(Vector3d a, Vector3d b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
    public static Vector3d operator *(Vector3d a, double s) => new(a.X * s, a.Y * s, a.Z * s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Dot(Vector3d b) => X * b.X + Y * b.Y + Z * b.Z;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector3d Cross(Vector3d b) => new(Y * b.Z - Z * b.Y, Z * b.X - X * b.Z, X * b.Y - Y * b.X);

    public double LengthSquared() => Dot(this);
    public double Length() => Math.Sqrt(Dot(this));
}
