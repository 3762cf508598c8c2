using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// One float vector width for kernels written once and instantiated per width (the JIT specializes the
/// generic code for each struct): arithmetic plus <see cref="FastTrig"/>'s sin, cos, sincos and exp.
/// </summary>
internal unsafe interface ISimdFloat<TSelf> where TSelf : struct, ISimdFloat<TSelf>
{
    /// <summary>Whether this width runs in hardware with FMA (the dispatchers pick the widest such).</summary>
    static abstract bool IsSupported { get; }
    static abstract int Count { get; }
    static abstract TSelf Create(float value);
    static abstract TSelf Load(float* p);
    static abstract void Store(float* p, TSelf v);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);
    static abstract TSelf Abs(TSelf a);
    /// <summary>a·b + c with one rounding.</summary>
    static abstract TSelf FusedMultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TSelf a);
    static abstract TSelf Sin(TSelf x);
    static abstract TSelf Cos(TSelf x);
    static abstract void SinCos(TSelf x, out TSelf sin, out TSelf cos);
    static abstract TSelf Exp(TSelf x);
    /// <summary>exp with subnormal results flushed to 0 (<see cref="FastTrig.ExpNormal(float)"/>).</summary>
    static abstract TSelf ExpNormal(TSelf x);
}

/// <summary>Vector512&lt;float&gt; as <see cref="ISimdFloat{TSelf}"/>.</summary>
internal readonly unsafe struct Simd512(Vector512<float> v) : ISimdFloat<Simd512>
{
    public readonly Vector512<float> V = v;
    public static bool IsSupported => Vector512.IsHardwareAccelerated;
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Create(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Simd512 v) => v.V.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 operator +(Simd512 a, Simd512 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 operator -(Simd512 a, Simd512 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 operator *(Simd512 a, Simd512 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 operator -(Simd512 a) => new(-a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Abs(Simd512 a) => new(Vector512.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 FusedMultiplyAdd(Simd512 a, Simd512 b, Simd512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Simd512 a) => Vector512.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Sin(Simd512 x) => new(FastTrig.Sin(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Cos(Simd512 x) => new(FastTrig.Cos(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(Simd512 x, out Simd512 sin, out Simd512 cos)
    {
        FastTrig.SinCos(x.V, out var s, out var c);
        sin = new(s); cos = new(c);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Exp(Simd512 x) => new(FastTrig.Exp(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 ExpNormal(Simd512 x) => new(FastTrig.ExpNormal(x.V));
}

/// <summary>Vector256&lt;float&gt; as <see cref="ISimdFloat{TSelf}"/>.</summary>
internal readonly unsafe struct Simd256(Vector256<float> v) : ISimdFloat<Simd256>
{
    public readonly Vector256<float> V = v;
    public static bool IsSupported => Vector256.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported);
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Create(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Load(float* p) => new(Vector256.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Simd256 v) => v.V.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 operator +(Simd256 a, Simd256 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 operator -(Simd256 a, Simd256 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 operator *(Simd256 a, Simd256 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 operator -(Simd256 a) => new(-a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Abs(Simd256 a) => new(Vector256.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 FusedMultiplyAdd(Simd256 a, Simd256 b, Simd256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Simd256 a) => Vector256.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Sin(Simd256 x) => new(FastTrig.Sin(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Cos(Simd256 x) => new(FastTrig.Cos(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(Simd256 x, out Simd256 sin, out Simd256 cos)
    {
        FastTrig.SinCos(x.V, out var s, out var c);
        sin = new(s); cos = new(c);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Exp(Simd256 x) => new(FastTrig.Exp(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 ExpNormal(Simd256 x) => new(FastTrig.ExpNormal(x.V));
}

/// <summary>Vector128&lt;float&gt; as <see cref="ISimdFloat{TSelf}"/>.</summary>
internal readonly unsafe struct Simd128(Vector128<float> v) : ISimdFloat<Simd128>
{
    public readonly Vector128<float> V = v;
    public static bool IsSupported => Vector128.IsHardwareAccelerated && (Fma.IsSupported || AdvSimd.IsSupported);
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Create(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Load(float* p) => new(Vector128.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Simd128 v) => v.V.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 operator +(Simd128 a, Simd128 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 operator -(Simd128 a, Simd128 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 operator *(Simd128 a, Simd128 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 operator -(Simd128 a) => new(-a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Abs(Simd128 a) => new(Vector128.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 FusedMultiplyAdd(Simd128 a, Simd128 b, Simd128 c) => new(Vector128.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Simd128 a) => Vector128.Sum(a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Sin(Simd128 x) => new(FastTrig.Sin(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Cos(Simd128 x) => new(FastTrig.Cos(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(Simd128 x, out Simd128 sin, out Simd128 cos)
    {
        FastTrig.SinCos(x.V, out var s, out var c);
        sin = new(s); cos = new(c);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Exp(Simd128 x) => new(FastTrig.Exp(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 ExpNormal(Simd128 x) => new(FastTrig.ExpNormal(x.V));
}

/// <summary>One float: the scalar mirror of the vector paths (<see cref="FastTrig.Sin(float)"/> and kin), for machines without a vector FMA.</summary>
internal readonly unsafe struct NoSimd(float v) : ISimdFloat<NoSimd>
{
    public readonly float V = v;
    public static bool IsSupported => true;
    public static int Count => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd Create(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd Load(float* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, NoSimd v) => *p = v.V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd operator +(NoSimd a, NoSimd b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd operator -(NoSimd a, NoSimd b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd operator *(NoSimd a, NoSimd b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd operator -(NoSimd a) => new(-a.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd Abs(NoSimd a) => new(MathF.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd FusedMultiplyAdd(NoSimd a, NoSimd b, NoSimd c) => new(MathF.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(NoSimd a) => a.V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd Sin(NoSimd x) => new(FastTrig.Sin(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd Cos(NoSimd x) => new(FastTrig.Cos(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCos(NoSimd x, out NoSimd sin, out NoSimd cos)
    {
        var (s, c) = FastTrig.SinCos(x.V);
        sin = new(s); cos = new(c);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd Exp(NoSimd x) => new(FastTrig.Exp(x.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static NoSimd ExpNormal(NoSimd x) => new(FastTrig.ExpNormal(x.V));
}
