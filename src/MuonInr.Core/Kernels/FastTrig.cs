using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace MuonInr.Kernels;

/// <summary>
/// Vectorized float32 sin, cos, sincos and exp for the INR activations, in the width the hardware runs
/// best: <see cref="Vector512{T}"/> where accelerated, else <see cref="Vector256{T}"/> with FMA (AVX2),
/// else <see cref="Vector128{T}"/> with FMA (or Arm AdvSimd), with a scalar mirror for tails that gives
/// the same bits as a vector lane.
/// </summary>
/// <remarks>
/// <para>
/// sin and cos: Cody–Waite reduction of |x| by π/2 with j = round(|x|·2/π) (the 1.5·2²³ rounding trick,
/// whose low mantissa bits are also the quadrant), r = |x| − j·(P1 + P2 + P3) in three FMA steps. P1 is
/// π/2 rounded down to float, so the first step is exact; P2, P3 carry the rest to about 2⁻⁷³, all three
/// positive so that sin(−0) stays −0. Minimax polynomials on [−π/4, π/4] (Cephes sinf/cosf coefficients)
/// give sin r and cos r; the quadrant picks and signs one of them, and sin takes x's sign.
/// </para>
/// <para>
/// Designed range: |x| ≤ <see cref="MaxArgument"/> = 1e4 (INRs feed ω·z of at most about ±1e3; FINER with
/// ω = 30 and |z| ≤ 3 gives about ±300). A vector with any lane outside it, NaN or ±∞ recomputes those
/// lanes with <see cref="MathF.Sin"/> / <see cref="MathF.Cos"/> (so NaN and ±∞ give NaN), slowly but
/// correctly. Error against Math.Sin/Cos in double, measured over 1e6 uniform points in [−1e4, 1e4], 1e6
/// points evenly over [−4π, 4π], the floats at and within 4 ulp of every multiple of π/2 up to 1e4, and
/// tiny |x| down to 2⁻¹⁴⁹: at most 7.1e-8 absolute and 1.52 ulp of the rounded result, the ulp bound
/// holding for near-zero results next to multiples of π too (1.47 ulp there). FastTrigTests asserts 1e-7
/// and 1.75 ulp. sin(±0) = ±0, cos(±0) = 1.
/// </para>
/// <para>
/// exp: k = round(x·log₂e), r = x − k·ln2 in two FMA steps, Cephes expf polynomial on [−ln2/2, ln2/2],
/// then 2^k applied as two power-of-two factors (normal results, up to overflow at x ≈ 88.72), or, for
/// k ≤ −126, built as the integer round(e·2^(k+149)), which is the result's bit pattern, so no operation
/// produces a subnormal (a microcode assist, ~4x slower on x86 when a tenth of the lanes underflow).
/// x &lt; −104 gives 0, x &gt; 88.72 gives +∞, NaN gives NaN. Measured over 1e6 points in [−87, 88]: at most
/// 0.99 ulp; subnormal results within one subnormal ulp (FastTrigTests asserts 1.25 ulp and 1 subnormal ulp).
/// </para>
/// </remarks>
public static unsafe class FastTrig
{
    /// <summary>Largest |x| that sin and cos reduce themselves; beyond it (and for NaN, ±∞) they defer to MathF.</summary>
    public const float MaxArgument = 1e4f;

    private const float TwoOverPi = 0.6366197466850281f;          // 2/π
    private const float PiO2Hi = 1.570796251296997f;              // π/2 rounded down (0x3FC90FDA)
    private const float PiO2Mid = 7.549789415861596e-08f;         // rest, rounded down (0x33A22168)
    private const float PiO2Lo = 5.390302953474238e-15f;          // rest (0x27C234C5); π/2 − sum ≈ −9.5e-23
    private const float RoundMagic = 12582912f;                   // 1.5·2²³: x + it rounds x to an integer
    private const int RoundMagicBits = 0x4B400000;
    private const uint SignBit = 0x80000000u;

    // sin r ≈ r + r³(S1 + S2 r² + S3 r⁴), cos r ≈ 1 − r²/2 + r⁴(C1 + C2 r² + C3 r⁴) on [−π/4, π/4] (Cephes).
    private const float S1 = -1.6666654611e-1f, S2 = 8.3321608736e-3f, S3 = -1.9515295891e-4f;
    private const float C1 = 4.166664568298827e-2f, C2 = -1.388731625493765e-3f, C3 = 2.443315711809948e-5f;

    // exp r ≈ 1 + r + r²(E5 + E4 r + … + E0 r⁵) on [−ln2/2, ln2/2] (Cephes expf).
    private const float E0 = 1.9875691500e-4f, E1 = 1.3981999507e-3f, E2 = 8.3334519073e-3f,
        E3 = 4.1665795894e-2f, E4 = 1.6666665459e-1f, E5 = 5.0000001201e-1f;
    private const float Log2E = 1.4426950216293335f;
    private const float Ln2Hi = 0.6931471824645996f, Ln2Lo = -1.9046542121259336e-09f;
    private const float ExpMin = -104f, ExpMax = 89f;

    /// <summary>Whether a vector path runs (some width with hardware FMA); otherwise everything is MathF.</summary>
    public static bool IsAccelerated => Simd512.IsSupported || Simd256.IsSupported || Simd128.IsSupported;

    private static bool HasFma => Fma.IsSupported || AdvSimd.IsSupported;

    // ---------------- spans ----------------

    /// <summary>y = sin(x) elementwise. x, y (n); y may be x.</summary>
    public static void Sin(ReadOnlySpan<float> x, Span<float> y) => Map<SinOp>(x, y);

    /// <summary>y = cos(x) elementwise. x, y (n); y may be x.</summary>
    public static void Cos(ReadOnlySpan<float> x, Span<float> y) => Map<CosOp>(x, y);

    /// <summary>y = exp(x) elementwise. x, y (n); y may be x.</summary>
    public static void Exp(ReadOnlySpan<float> x, Span<float> y) => Map<ExpOp>(x, y);

    /// <summary>sin(x) and cos(x) elementwise from one range reduction. x, sin, cos (n).</summary>
    public static void SinCos(ReadOnlySpan<float> x, Span<float> sin, Span<float> cos)
    {
        if (Simd512.IsSupported) SinCos<Simd512>(x, sin, cos);
        else if (Simd256.IsSupported) SinCos<Simd256>(x, sin, cos);
        else if (Simd128.IsSupported) SinCos<Simd128>(x, sin, cos);
        else SinCos<NoSimd>(x, sin, cos);
    }

    private static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOp
    {
        if (Simd512.IsSupported) Map<Simd512, TOp>(x, y);
        else if (Simd256.IsSupported) Map<Simd256, TOp>(x, y);
        else if (Simd128.IsSupported) Map<Simd128, TOp>(x, y);
        else Map<NoSimd, TOp>(x, y);
    }

    /// <summary>y = op(x) in width <typeparamref name="TVec"/> (tests call each width directly), scalar tail.</summary>
    internal static void Map<TVec, TOp>(ReadOnlySpan<float> x, Span<float> y) where TVec : struct, ISimdFloat<TVec> where TOp : struct, IUnaryOp
    {
        if (x.Length != y.Length) throw new ArgumentException($"FastTrig: spans have {x.Length} and {y.Length} elements.");
        fixed (float* px = x) fixed (float* py = y)
        {
            int n = x.Length, i = 0;
            for (; i <= n - TVec.Count; i += TVec.Count) TVec.Store(py + i, TOp.Apply(TVec.Load(px + i)));
            for (; i < n; i++) py[i] = TOp.Apply(px[i]);
        }
    }

    /// <summary>sin and cos in width <typeparamref name="TVec"/>, scalar tail.</summary>
    internal static void SinCos<TVec>(ReadOnlySpan<float> x, Span<float> sin, Span<float> cos) where TVec : struct, ISimdFloat<TVec>
    {
        if (x.Length != sin.Length || x.Length != cos.Length) throw new ArgumentException("FastTrig.SinCos: span lengths differ.");
        fixed (float* px = x) fixed (float* ps = sin) fixed (float* pc = cos)
        {
            int n = x.Length, i = 0;
            for (; i <= n - TVec.Count; i += TVec.Count)
            {
                TVec.SinCos(TVec.Load(px + i), out var s, out var c);
                TVec.Store(ps + i, s);
                TVec.Store(pc + i, c);
            }
            for (; i < n; i++) (ps[i], pc[i]) = SinCos(px[i]);
        }
    }

    internal interface IUnaryOp
    {
        static abstract TVec Apply<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec>;
        static abstract float Apply(float x);
    }

    internal readonly struct SinOp : IUnaryOp
    {
        public static TVec Apply<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec> => TVec.Sin(x);
        public static float Apply(float x) => Sin(x);
    }

    internal readonly struct CosOp : IUnaryOp
    {
        public static TVec Apply<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec> => TVec.Cos(x);
        public static float Apply(float x) => Cos(x);
    }

    internal readonly struct ExpOp : IUnaryOp
    {
        public static TVec Apply<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec> => TVec.Exp(x);
        public static float Apply(float x) => Exp(x);
    }

    internal readonly struct ExpNormalOp : IUnaryOp
    {
        public static TVec Apply<TVec>(TVec x) where TVec : struct, ISimdFloat<TVec> => TVec.ExpNormal(x);
        public static float Apply(float x) => ExpNormal(x);
    }

    // ---------------- scalar: the same operations as one vector lane ----------------

    /// <summary>sin(x): the vector algorithm on one element (bit-identical to a lane); MathF.Sin outside the designed range or without FMA.</summary>
    public static float Sin(float x)
    {
        float ax = MathF.Abs(x);
        if (!HasFma || !(ax <= MaxArgument)) return MathF.Sin(x);
        float jp = MathF.FusedMultiplyAdd(ax, TwoOverPi, RoundMagic);
        float r = Reduce(ax, jp, out float z);
        uint q = BitConverter.SingleToUInt32Bits(jp);
        float y = (q & 1) != 0 ? CosPoly(z) : SinPoly(r, z);
        uint sign = ((q << 30) ^ BitConverter.SingleToUInt32Bits(x)) & SignBit;
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(y) ^ sign);
    }

    /// <summary>cos(x): the vector algorithm on one element; MathF.Cos outside the designed range or without FMA.</summary>
    public static float Cos(float x)
    {
        float ax = MathF.Abs(x);
        if (!HasFma || !(ax <= MaxArgument)) return MathF.Cos(x);
        float jp = MathF.FusedMultiplyAdd(ax, TwoOverPi, RoundMagic);
        float r = Reduce(ax, jp, out float z);
        uint q = BitConverter.SingleToUInt32Bits(jp) + 1;
        float y = (q & 1) != 0 ? CosPoly(z) : SinPoly(r, z);
        return BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(y) ^ ((q << 30) & SignBit));
    }

    /// <summary>(sin x, cos x) from one reduction; the same bits as <see cref="Sin(float)"/> and <see cref="Cos(float)"/>.</summary>
    public static (float Sin, float Cos) SinCos(float x)
    {
        float ax = MathF.Abs(x);
        if (!HasFma || !(ax <= MaxArgument)) return (MathF.Sin(x), MathF.Cos(x));
        float jp = MathF.FusedMultiplyAdd(ax, TwoOverPi, RoundMagic);
        float r = Reduce(ax, jp, out float z);
        float s = SinPoly(r, z), c = CosPoly(z);
        uint q = BitConverter.SingleToUInt32Bits(jp);
        bool swap = (q & 1) != 0;
        uint signSin = ((q << 30) ^ BitConverter.SingleToUInt32Bits(x)) & SignBit;
        uint signCos = ((q + 1) << 30) & SignBit;
        return (BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(swap ? c : s) ^ signSin),
                BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(swap ? s : c) ^ signCos));
    }

    /// <summary>
    /// exp(x) with every result below the smallest normal float flushed to 0: x &lt; −87.3365 (≈ ln 2⁻¹²⁶) gives
    /// 0 instead of a subnormal (an absolute change below 1.2e-38). For envelopes like exp(−(σx)²): a
    /// subnormal there makes every product with it a microcode assist, in the activation and in the next
    /// layer's GEMM (real Gabor forward + backward measured 1.70x slower when 7 % of the lanes underflow;
    /// 0.98x with the flush). NaN stays NaN.
    /// </summary>
    public static float ExpNormal(float x) => x < ExpNormalMin ? 0f : Exp(x);

    // The smallest argument whose exp is a normal float (exp(−87.3365) = 1.17555e-38 > 2⁻¹²⁶ = 1.17549e-38).
    internal const float ExpNormalMin = -87.3365f;

    /// <summary>exp(x): the vector algorithm on one element; MathF.Exp for NaN or without FMA.</summary>
    public static float Exp(float x)
    {
        if (!HasFma || float.IsNaN(x)) return MathF.Exp(x);
        float xc = MathF.Min(MathF.Max(x, ExpMin), ExpMax);
        float kp = MathF.FusedMultiplyAdd(xc, Log2E, RoundMagic);
        float k = kp - RoundMagic;
        float r = MathF.FusedMultiplyAdd(k, -Ln2Hi, xc);
        r = MathF.FusedMultiplyAdd(k, -Ln2Lo, r);
        float p = MathF.FusedMultiplyAdd(E0, r, E1);
        p = MathF.FusedMultiplyAdd(p, r, E2);
        p = MathF.FusedMultiplyAdd(p, r, E3);
        p = MathF.FusedMultiplyAdd(p, r, E4);
        p = MathF.FusedMultiplyAdd(p, r, E5);
        float e = MathF.FusedMultiplyAdd(p, r * r, r) + 1f;
        int ki = BitConverter.SingleToInt32Bits(kp) - RoundMagicBits;
        if (ki <= -126)
            return BitConverter.Int32BitsToSingle((int)MathF.Round(e * BitConverter.Int32BitsToSingle((ki + 149 + 127) << 23)));
        int k1 = ki >> 1;
        return e * BitConverter.Int32BitsToSingle((k1 + 127) << 23) * BitConverter.Int32BitsToSingle((ki - k1 + 127) << 23);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Reduce(float ax, float jp, out float z)
    {
        float j = jp - RoundMagic;
        float r = MathF.FusedMultiplyAdd(j, -PiO2Hi, ax);
        r = MathF.FusedMultiplyAdd(j, -PiO2Mid, r);
        r = MathF.FusedMultiplyAdd(j, -PiO2Lo, r);
        z = r * r;
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SinPoly(float r, float z)
    {
        float p = MathF.FusedMultiplyAdd(S3, z, S2);
        p = MathF.FusedMultiplyAdd(p, z, S1);
        return MathF.FusedMultiplyAdd(p, z * r, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float CosPoly(float z)
    {
        float p = MathF.FusedMultiplyAdd(C3, z, C2);
        p = MathF.FusedMultiplyAdd(p, z, C1);
        p = MathF.FusedMultiplyAdd(p, z, -0.5f);
        return MathF.FusedMultiplyAdd(p, z, 1f);
    }

    // ---------------- Vector512<float> ----------------

    /// <summary>sin(x) lanewise; lanes outside ±<see cref="MaxArgument"/> (and NaN, ±Inf) take <see cref="MathF.Sin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Sin(Vector512<float> x)
        => Vector512.LessThanOrEqualAll(Vector512.Abs(x), Vector512.Create(MaxArgument)) ? SinCore(x) : SinSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> SinSlow(Vector512<float> x) => Patch(x, SinCore(x), &MathF.Sin);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SinCore(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var jp = Vector512.FusedMultiplyAdd(ax, Vector512.Create(TwoOverPi), Vector512.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32();
        var swap = Vector512.Equals(q & Vector512.Create(1u), Vector512.Create(1u)).AsSingle();
        var sign = ((q << 30) ^ x.AsUInt32()) & Vector512.Create(SignBit);
        var y = (Vector512.ConditionalSelect(swap, c, s).AsUInt32() ^ sign).AsSingle();
        return y;
    }

    /// <summary>cos(x) lanewise; lanes outside ±<see cref="MaxArgument"/> (and NaN, ±Inf) take <see cref="MathF.Cos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Cos(Vector512<float> x)
        => Vector512.LessThanOrEqualAll(Vector512.Abs(x), Vector512.Create(MaxArgument)) ? CosCore(x) : CosSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> CosSlow(Vector512<float> x) => Patch(x, CosCore(x), &MathF.Cos);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> CosCore(Vector512<float> x)
    {
        var ax = Vector512.Abs(x);
        var jp = Vector512.FusedMultiplyAdd(ax, Vector512.Create(TwoOverPi), Vector512.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32() + Vector512.Create(1u);
        var swap = Vector512.Equals(q & Vector512.Create(1u), Vector512.Create(1u)).AsSingle();
        var sign = (q << 30) & Vector512.Create(SignBit);
        var y = (Vector512.ConditionalSelect(swap, c, s).AsUInt32() ^ sign).AsSingle();
        return y;
    }

    /// <summary>sin(x) and cos(x) lanewise from one range reduction; out-of-range lanes as in <see cref="Sin(Vector512{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SinCos(Vector512<float> x, out Vector512<float> sin, out Vector512<float> cos)
    {
        if (Vector512.LessThanOrEqualAll(Vector512.Abs(x), Vector512.Create(MaxArgument))) SinCosCore(x, out sin, out cos);
        else SinCosSlow(x, out sin, out cos);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SinCosSlow(Vector512<float> x, out Vector512<float> sin, out Vector512<float> cos)
    {
        SinCosCore(x, out var s, out var c);
        sin = Patch(x, s, &MathF.Sin);
        cos = Patch(x, c, &MathF.Cos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SinCosCore(Vector512<float> x, out Vector512<float> sin, out Vector512<float> cos)
    {
        var ax = Vector512.Abs(x);
        var jp = Vector512.FusedMultiplyAdd(ax, Vector512.Create(TwoOverPi), Vector512.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32();
        var swap = Vector512.Equals(q & Vector512.Create(1u), Vector512.Create(1u)).AsSingle();
        var signSin = ((q << 30) ^ x.AsUInt32()) & Vector512.Create(SignBit);
        var signCos = ((q + Vector512.Create(1u)) << 30) & Vector512.Create(SignBit);
        sin = (Vector512.ConditionalSelect(swap, c, s).AsUInt32() ^ signSin).AsSingle();
        cos = (Vector512.ConditionalSelect(swap, s, c).AsUInt32() ^ signCos).AsSingle();
    }

    /// <summary>exp(x) lanewise: below −104 gives 0, above 89 gives +∞ (as <see cref="MathF.Exp"/>); NaN lanes take <see cref="MathF.Exp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Exp(Vector512<float> x) => Vector512.EqualsAll(x, x) ? ExpCore(x) : ExpSlow(x);

    /// <summary><see cref="ExpNormal(float)"/> lanewise (exp itself builds subnormal results from integer bits, so only the products with them were slow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpNormal(Vector512<float> x) => Vector512.EqualsAll(x, x) ? ExpNormalCore(x) : ExpNormalSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> ExpNormalSlow(Vector512<float> x) => Patch(x, ExpNormalCore(x), &MathF.Exp);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> ExpSlow(Vector512<float> x) => Patch(x, ExpCore(x), &MathF.Exp);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpCore(Vector512<float> x)
    {
        var e = ExpReduce(Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax)), out var ki);
        // k ≥ −125: e·2^k as two power-of-two factors (k reaches 128 below overflow), never subnormal
        var kn = Vector512.Max(ki, Vector512.Create(-125));
        var k1 = Vector512.ShiftRightArithmetic(kn, 1);
        var s1 = ((k1 + Vector512.Create(127)) << 23).AsSingle();
        var s2 = ((kn - k1 + Vector512.Create(127)) << 23).AsSingle();
        var y = e * s1 * s2;
        // k ≤ −126: the bits of e·2^k are the integer round(e·2^(k+149)) (subnormal, or the first binade),
        // so no arithmetic produces a subnormal (a slow microcode assist on x86)
        var ks = Vector512.Min(ki, Vector512.Create(-126));
        var m = Vector512.ConvertToInt32Native(Vector512.Round(e * ((ks + Vector512.Create(149 + 127)) << 23).AsSingle()));
        return Vector512.ConditionalSelect(Vector512.LessThan(ki, Vector512.Create(-125)).AsSingle(), m.AsSingle(), y);
    }

    // ExpCore for results that are normal floats: x clamped at ExpNormalMin gives k ≥ −126, where e·2^k is
    // two normal power-of-two factors (the same bits as ExpCore's integer path for the first binade), and
    // the lanes below the cutoff become 0. Cheaper than ExpCore: no subnormal path.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpNormalCore(Vector512<float> x)
    {
        var e = ExpReduce(Vector512.MinNative(Vector512.MaxNative(x, Vector512.Create(ExpNormalMin)), Vector512.Create(ExpMax)), out var ki);
        var k1 = Vector512.ShiftRightArithmetic(ki, 1);
        var y = e * ((k1 + Vector512.Create(127)) << 23).AsSingle() * ((ki - k1 + Vector512.Create(127)) << 23).AsSingle();
        return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(ExpNormalMin)), Vector512<float>.Zero, y);
    }

    // e = exp(r) for x = k·ln 2 + r (Cody–Waite in two FMA steps, degree-5 minimax on r), and k.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpReduce(Vector512<float> xc, out Vector512<int> ki)
    {
        var kp = Vector512.FusedMultiplyAdd(xc, Vector512.Create(Log2E), Vector512.Create(RoundMagic));
        var k = kp - Vector512.Create(RoundMagic);
        var r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Hi), xc);
        r = Vector512.FusedMultiplyAdd(k, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E0), r, Vector512.Create(E1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E5));
        ki = kp.AsInt32() - Vector512.Create(RoundMagicBits);
        return Vector512.FusedMultiplyAdd(p, r * r, r) + Vector512.Create(1f);
    }

    // r = |x| − j·π/2 in three FMA steps (the first is exact), z = r².
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce(Vector512<float> ax, Vector512<float> jp, out Vector512<float> z)
    {
        var j = jp - Vector512.Create(RoundMagic);
        var r = Vector512.FusedMultiplyAdd(j, Vector512.Create(-PiO2Hi), ax);
        r = Vector512.FusedMultiplyAdd(j, Vector512.Create(-PiO2Mid), r);
        r = Vector512.FusedMultiplyAdd(j, Vector512.Create(-PiO2Lo), r);
        z = r * r;
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SinPoly(Vector512<float> r, Vector512<float> z)
    {
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(S3), z, Vector512.Create(S2));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(S1));
        return Vector512.FusedMultiplyAdd(p, z * r, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> CosPoly(Vector512<float> z)
    {
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(C3), z, Vector512.Create(C2));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(C1));
        p = Vector512.FusedMultiplyAdd(p, z, Vector512.Create(-0.5f));
        return Vector512.FusedMultiplyAdd(p, z, Vector512.Create(1f));
    }

    // Recomputes the lanes whose |x| is not ≤ MaxArgument (NaN included) with the scalar reference.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector512<float> Patch(Vector512<float> x, Vector512<float> y, delegate*<float, float> reference)
    {
        float* xs = stackalloc float[Vector512<float>.Count];
        float* ys = stackalloc float[Vector512<float>.Count];
        x.Store(xs); y.Store(ys);
        for (int i = 0; i < Vector512<float>.Count; i++)
            if (!(MathF.Abs(xs[i]) <= MaxArgument) || float.IsNaN(xs[i])) ys[i] = reference(xs[i]);
        return Vector512.Load(ys);
    }

    // ---------------- Vector256<float> ----------------

    /// <summary>sin(x) lanewise; lanes outside ±<see cref="MaxArgument"/> (and NaN, ±Inf) take <see cref="MathF.Sin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Sin(Vector256<float> x)
        => Vector256.LessThanOrEqualAll(Vector256.Abs(x), Vector256.Create(MaxArgument)) ? SinCore(x) : SinSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> SinSlow(Vector256<float> x) => Patch(x, SinCore(x), &MathF.Sin);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SinCore(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var jp = Vector256.FusedMultiplyAdd(ax, Vector256.Create(TwoOverPi), Vector256.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32();
        var swap = Vector256.Equals(q & Vector256.Create(1u), Vector256.Create(1u)).AsSingle();
        var sign = ((q << 30) ^ x.AsUInt32()) & Vector256.Create(SignBit);
        var y = (Vector256.ConditionalSelect(swap, c, s).AsUInt32() ^ sign).AsSingle();
        return y;
    }

    /// <summary>cos(x) lanewise; lanes outside ±<see cref="MaxArgument"/> (and NaN, ±Inf) take <see cref="MathF.Cos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Cos(Vector256<float> x)
        => Vector256.LessThanOrEqualAll(Vector256.Abs(x), Vector256.Create(MaxArgument)) ? CosCore(x) : CosSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> CosSlow(Vector256<float> x) => Patch(x, CosCore(x), &MathF.Cos);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> CosCore(Vector256<float> x)
    {
        var ax = Vector256.Abs(x);
        var jp = Vector256.FusedMultiplyAdd(ax, Vector256.Create(TwoOverPi), Vector256.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32() + Vector256.Create(1u);
        var swap = Vector256.Equals(q & Vector256.Create(1u), Vector256.Create(1u)).AsSingle();
        var sign = (q << 30) & Vector256.Create(SignBit);
        var y = (Vector256.ConditionalSelect(swap, c, s).AsUInt32() ^ sign).AsSingle();
        return y;
    }

    /// <summary>sin(x) and cos(x) lanewise from one range reduction; out-of-range lanes as in <see cref="Sin(Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SinCos(Vector256<float> x, out Vector256<float> sin, out Vector256<float> cos)
    {
        if (Vector256.LessThanOrEqualAll(Vector256.Abs(x), Vector256.Create(MaxArgument))) SinCosCore(x, out sin, out cos);
        else SinCosSlow(x, out sin, out cos);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SinCosSlow(Vector256<float> x, out Vector256<float> sin, out Vector256<float> cos)
    {
        SinCosCore(x, out var s, out var c);
        sin = Patch(x, s, &MathF.Sin);
        cos = Patch(x, c, &MathF.Cos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SinCosCore(Vector256<float> x, out Vector256<float> sin, out Vector256<float> cos)
    {
        var ax = Vector256.Abs(x);
        var jp = Vector256.FusedMultiplyAdd(ax, Vector256.Create(TwoOverPi), Vector256.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32();
        var swap = Vector256.Equals(q & Vector256.Create(1u), Vector256.Create(1u)).AsSingle();
        var signSin = ((q << 30) ^ x.AsUInt32()) & Vector256.Create(SignBit);
        var signCos = ((q + Vector256.Create(1u)) << 30) & Vector256.Create(SignBit);
        sin = (Vector256.ConditionalSelect(swap, c, s).AsUInt32() ^ signSin).AsSingle();
        cos = (Vector256.ConditionalSelect(swap, s, c).AsUInt32() ^ signCos).AsSingle();
    }

    /// <summary>exp(x) lanewise: below −104 gives 0, above 89 gives +∞ (as <see cref="MathF.Exp"/>); NaN lanes take <see cref="MathF.Exp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> Exp(Vector256<float> x) => Vector256.EqualsAll(x, x) ? ExpCore(x) : ExpSlow(x);

    /// <summary><see cref="ExpNormal(float)"/> lanewise (exp itself builds subnormal results from integer bits, so only the products with them were slow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpNormal(Vector256<float> x) => Vector256.EqualsAll(x, x) ? ExpNormalCore(x) : ExpNormalSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> ExpNormalSlow(Vector256<float> x) => Patch(x, ExpNormalCore(x), &MathF.Exp);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> ExpSlow(Vector256<float> x) => Patch(x, ExpCore(x), &MathF.Exp);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpCore(Vector256<float> x)
    {
        var e = ExpReduce(Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(ExpMin)), Vector256.Create(ExpMax)), out var ki);
        // k ≥ −125: e·2^k as two power-of-two factors (k reaches 128 below overflow), never subnormal
        var kn = Vector256.Max(ki, Vector256.Create(-125));
        var k1 = Vector256.ShiftRightArithmetic(kn, 1);
        var s1 = ((k1 + Vector256.Create(127)) << 23).AsSingle();
        var s2 = ((kn - k1 + Vector256.Create(127)) << 23).AsSingle();
        var y = e * s1 * s2;
        // k ≤ −126: the bits of e·2^k are the integer round(e·2^(k+149)) (subnormal, or the first binade),
        // so no arithmetic produces a subnormal (a slow microcode assist on x86)
        var ks = Vector256.Min(ki, Vector256.Create(-126));
        var m = Vector256.ConvertToInt32Native(Vector256.Round(e * ((ks + Vector256.Create(149 + 127)) << 23).AsSingle()));
        return Vector256.ConditionalSelect(Vector256.LessThan(ki, Vector256.Create(-125)).AsSingle(), m.AsSingle(), y);
    }

    // ExpCore for results that are normal floats: x clamped at ExpNormalMin gives k ≥ −126, where e·2^k is
    // two normal power-of-two factors (the same bits as ExpCore's integer path for the first binade), and
    // the lanes below the cutoff become 0. Cheaper than ExpCore: no subnormal path.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpNormalCore(Vector256<float> x)
    {
        var e = ExpReduce(Vector256.MinNative(Vector256.MaxNative(x, Vector256.Create(ExpNormalMin)), Vector256.Create(ExpMax)), out var ki);
        var k1 = Vector256.ShiftRightArithmetic(ki, 1);
        var y = e * ((k1 + Vector256.Create(127)) << 23).AsSingle() * ((ki - k1 + Vector256.Create(127)) << 23).AsSingle();
        return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(ExpNormalMin)), Vector256<float>.Zero, y);
    }

    // e = exp(r) for x = k·ln 2 + r (Cody–Waite in two FMA steps, degree-5 minimax on r), and k.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpReduce(Vector256<float> xc, out Vector256<int> ki)
    {
        var kp = Vector256.FusedMultiplyAdd(xc, Vector256.Create(Log2E), Vector256.Create(RoundMagic));
        var k = kp - Vector256.Create(RoundMagic);
        var r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Hi), xc);
        r = Vector256.FusedMultiplyAdd(k, Vector256.Create(-Ln2Lo), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(E0), r, Vector256.Create(E1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E5));
        ki = kp.AsInt32() - Vector256.Create(RoundMagicBits);
        return Vector256.FusedMultiplyAdd(p, r * r, r) + Vector256.Create(1f);
    }

    // r = |x| − j·π/2 in three FMA steps (the first is exact), z = r².
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduce(Vector256<float> ax, Vector256<float> jp, out Vector256<float> z)
    {
        var j = jp - Vector256.Create(RoundMagic);
        var r = Vector256.FusedMultiplyAdd(j, Vector256.Create(-PiO2Hi), ax);
        r = Vector256.FusedMultiplyAdd(j, Vector256.Create(-PiO2Mid), r);
        r = Vector256.FusedMultiplyAdd(j, Vector256.Create(-PiO2Lo), r);
        z = r * r;
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> SinPoly(Vector256<float> r, Vector256<float> z)
    {
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(S3), z, Vector256.Create(S2));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(S1));
        return Vector256.FusedMultiplyAdd(p, z * r, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> CosPoly(Vector256<float> z)
    {
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(C3), z, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, z, Vector256.Create(-0.5f));
        return Vector256.FusedMultiplyAdd(p, z, Vector256.Create(1f));
    }

    // Recomputes the lanes whose |x| is not ≤ MaxArgument (NaN included) with the scalar reference.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> Patch(Vector256<float> x, Vector256<float> y, delegate*<float, float> reference)
    {
        float* xs = stackalloc float[Vector256<float>.Count];
        float* ys = stackalloc float[Vector256<float>.Count];
        x.Store(xs); y.Store(ys);
        for (int i = 0; i < Vector256<float>.Count; i++)
            if (!(MathF.Abs(xs[i]) <= MaxArgument) || float.IsNaN(xs[i])) ys[i] = reference(xs[i]);
        return Vector256.Load(ys);
    }

    // ---------------- Vector128<float> ----------------

    /// <summary>sin(x) lanewise; lanes outside ±<see cref="MaxArgument"/> (and NaN, ±Inf) take <see cref="MathF.Sin"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Sin(Vector128<float> x)
        => Vector128.LessThanOrEqualAll(Vector128.Abs(x), Vector128.Create(MaxArgument)) ? SinCore(x) : SinSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> SinSlow(Vector128<float> x) => Patch(x, SinCore(x), &MathF.Sin);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SinCore(Vector128<float> x)
    {
        var ax = Vector128.Abs(x);
        var jp = Vector128.FusedMultiplyAdd(ax, Vector128.Create(TwoOverPi), Vector128.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32();
        var swap = Vector128.Equals(q & Vector128.Create(1u), Vector128.Create(1u)).AsSingle();
        var sign = ((q << 30) ^ x.AsUInt32()) & Vector128.Create(SignBit);
        var y = (Vector128.ConditionalSelect(swap, c, s).AsUInt32() ^ sign).AsSingle();
        return y;
    }

    /// <summary>cos(x) lanewise; lanes outside ±<see cref="MaxArgument"/> (and NaN, ±Inf) take <see cref="MathF.Cos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Cos(Vector128<float> x)
        => Vector128.LessThanOrEqualAll(Vector128.Abs(x), Vector128.Create(MaxArgument)) ? CosCore(x) : CosSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> CosSlow(Vector128<float> x) => Patch(x, CosCore(x), &MathF.Cos);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> CosCore(Vector128<float> x)
    {
        var ax = Vector128.Abs(x);
        var jp = Vector128.FusedMultiplyAdd(ax, Vector128.Create(TwoOverPi), Vector128.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32() + Vector128.Create(1u);
        var swap = Vector128.Equals(q & Vector128.Create(1u), Vector128.Create(1u)).AsSingle();
        var sign = (q << 30) & Vector128.Create(SignBit);
        var y = (Vector128.ConditionalSelect(swap, c, s).AsUInt32() ^ sign).AsSingle();
        return y;
    }

    /// <summary>sin(x) and cos(x) lanewise from one range reduction; out-of-range lanes as in <see cref="Sin(Vector128{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SinCos(Vector128<float> x, out Vector128<float> sin, out Vector128<float> cos)
    {
        if (Vector128.LessThanOrEqualAll(Vector128.Abs(x), Vector128.Create(MaxArgument))) SinCosCore(x, out sin, out cos);
        else SinCosSlow(x, out sin, out cos);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SinCosSlow(Vector128<float> x, out Vector128<float> sin, out Vector128<float> cos)
    {
        SinCosCore(x, out var s, out var c);
        sin = Patch(x, s, &MathF.Sin);
        cos = Patch(x, c, &MathF.Cos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SinCosCore(Vector128<float> x, out Vector128<float> sin, out Vector128<float> cos)
    {
        var ax = Vector128.Abs(x);
        var jp = Vector128.FusedMultiplyAdd(ax, Vector128.Create(TwoOverPi), Vector128.Create(RoundMagic));
        var r = Reduce(ax, jp, out var z);
        var s = SinPoly(r, z);
        var c = CosPoly(z);
        var q = jp.AsUInt32();
        var swap = Vector128.Equals(q & Vector128.Create(1u), Vector128.Create(1u)).AsSingle();
        var signSin = ((q << 30) ^ x.AsUInt32()) & Vector128.Create(SignBit);
        var signCos = ((q + Vector128.Create(1u)) << 30) & Vector128.Create(SignBit);
        sin = (Vector128.ConditionalSelect(swap, c, s).AsUInt32() ^ signSin).AsSingle();
        cos = (Vector128.ConditionalSelect(swap, s, c).AsUInt32() ^ signCos).AsSingle();
    }

    /// <summary>exp(x) lanewise: below −104 gives 0, above 89 gives +∞ (as <see cref="MathF.Exp"/>); NaN lanes take <see cref="MathF.Exp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> Exp(Vector128<float> x) => Vector128.EqualsAll(x, x) ? ExpCore(x) : ExpSlow(x);

    /// <summary><see cref="ExpNormal(float)"/> lanewise (exp itself builds subnormal results from integer bits, so only the products with them were slow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> ExpNormal(Vector128<float> x) => Vector128.EqualsAll(x, x) ? ExpNormalCore(x) : ExpNormalSlow(x);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> ExpNormalSlow(Vector128<float> x) => Patch(x, ExpNormalCore(x), &MathF.Exp);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> ExpSlow(Vector128<float> x) => Patch(x, ExpCore(x), &MathF.Exp);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpCore(Vector128<float> x)
    {
        var e = ExpReduce(Vector128.MinNative(Vector128.MaxNative(x, Vector128.Create(ExpMin)), Vector128.Create(ExpMax)), out var ki);
        // k ≥ −125: e·2^k as two power-of-two factors (k reaches 128 below overflow), never subnormal
        var kn = Vector128.Max(ki, Vector128.Create(-125));
        var k1 = Vector128.ShiftRightArithmetic(kn, 1);
        var s1 = ((k1 + Vector128.Create(127)) << 23).AsSingle();
        var s2 = ((kn - k1 + Vector128.Create(127)) << 23).AsSingle();
        var y = e * s1 * s2;
        // k ≤ −126: the bits of e·2^k are the integer round(e·2^(k+149)) (subnormal, or the first binade),
        // so no arithmetic produces a subnormal (a slow microcode assist on x86)
        var ks = Vector128.Min(ki, Vector128.Create(-126));
        var m = Vector128.ConvertToInt32Native(Vector128.Round(e * ((ks + Vector128.Create(149 + 127)) << 23).AsSingle()));
        return Vector128.ConditionalSelect(Vector128.LessThan(ki, Vector128.Create(-125)).AsSingle(), m.AsSingle(), y);
    }

    // ExpCore for results that are normal floats: x clamped at ExpNormalMin gives k ≥ −126, where e·2^k is
    // two normal power-of-two factors (the same bits as ExpCore's integer path for the first binade), and
    // the lanes below the cutoff become 0. Cheaper than ExpCore: no subnormal path.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpNormalCore(Vector128<float> x)
    {
        var e = ExpReduce(Vector128.MinNative(Vector128.MaxNative(x, Vector128.Create(ExpNormalMin)), Vector128.Create(ExpMax)), out var ki);
        var k1 = Vector128.ShiftRightArithmetic(ki, 1);
        var y = e * ((k1 + Vector128.Create(127)) << 23).AsSingle() * ((ki - k1 + Vector128.Create(127)) << 23).AsSingle();
        return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(ExpNormalMin)), Vector128<float>.Zero, y);
    }

    // e = exp(r) for x = k·ln 2 + r (Cody–Waite in two FMA steps, degree-5 minimax on r), and k.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpReduce(Vector128<float> xc, out Vector128<int> ki)
    {
        var kp = Vector128.FusedMultiplyAdd(xc, Vector128.Create(Log2E), Vector128.Create(RoundMagic));
        var k = kp - Vector128.Create(RoundMagic);
        var r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-Ln2Hi), xc);
        r = Vector128.FusedMultiplyAdd(k, Vector128.Create(-Ln2Lo), r);
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(E0), r, Vector128.Create(E1));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(E2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(E3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(E4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(E5));
        ki = kp.AsInt32() - Vector128.Create(RoundMagicBits);
        return Vector128.FusedMultiplyAdd(p, r * r, r) + Vector128.Create(1f);
    }

    // r = |x| − j·π/2 in three FMA steps (the first is exact), z = r².
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Reduce(Vector128<float> ax, Vector128<float> jp, out Vector128<float> z)
    {
        var j = jp - Vector128.Create(RoundMagic);
        var r = Vector128.FusedMultiplyAdd(j, Vector128.Create(-PiO2Hi), ax);
        r = Vector128.FusedMultiplyAdd(j, Vector128.Create(-PiO2Mid), r);
        r = Vector128.FusedMultiplyAdd(j, Vector128.Create(-PiO2Lo), r);
        z = r * r;
        return r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> SinPoly(Vector128<float> r, Vector128<float> z)
    {
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(S3), z, Vector128.Create(S2));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(S1));
        return Vector128.FusedMultiplyAdd(p, z * r, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> CosPoly(Vector128<float> z)
    {
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(C3), z, Vector128.Create(C2));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(C1));
        p = Vector128.FusedMultiplyAdd(p, z, Vector128.Create(-0.5f));
        return Vector128.FusedMultiplyAdd(p, z, Vector128.Create(1f));
    }

    // Recomputes the lanes whose |x| is not ≤ MaxArgument (NaN included) with the scalar reference.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector128<float> Patch(Vector128<float> x, Vector128<float> y, delegate*<float, float> reference)
    {
        float* xs = stackalloc float[Vector128<float>.Count];
        float* ys = stackalloc float[Vector128<float>.Count];
        x.Store(xs); y.Store(ys);
        for (int i = 0; i < Vector128<float>.Count; i++)
            if (!(MathF.Abs(xs[i]) <= MaxArgument) || float.IsNaN(xs[i])) ys[i] = reference(xs[i]);
        return Vector128.Load(ys);
    }
}
