using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Kernels;

/// <summary>
/// <see cref="FastTrig"/>'s sin, cos, sincos and exp against double precision, in every vector width
/// (Vector512, Vector256, Vector128 and the one-float mirror, each called directly, so the narrower paths
/// run on wider hardware too) and the scalar functions. Every width must give the scalar mirror's bits,
/// so the error bounds, checked on the scalar results, hold for all of them.
/// Bounds (measured: 7.1e-8 and 1.52 ulp for sin/cos, 0.99 ulp for exp): sin and cos within 1e-7
/// absolute of Math.Sin/Cos and within 1.75 ulp of the rounded double result wherever it is not zero
/// (the reduction keeps near-zero results next to multiples of π relatively accurate too); exp within
/// 1.25 ulp over [−87, 88] and one subnormal ulp below. Tight enough that S2, C2 or E2 off by 1e-3
/// relative (or P2 of the π/2 split truncated) fails them.
/// </summary>
public class FastTrigTests
{
    private const double AbsBound = 1e-7;
    private const double UlpBound = 1.75;
    private const double ExpUlpBound = 1.25;

    public enum Width { W512, W256, W128, Scalar }

    public static IEnumerable<object[]> Widths() => Enum.GetValues<Width>().Select(w => new object[] { w });

    private static void Map(Width w, string op, float[] x, float[] y)
    {
        switch ((w, op))
        {
            case (Width.W512, "sin"): FastTrig.Map<Simd512, FastTrig.SinOp>(x, y); break;
            case (Width.W256, "sin"): FastTrig.Map<Simd256, FastTrig.SinOp>(x, y); break;
            case (Width.W128, "sin"): FastTrig.Map<Simd128, FastTrig.SinOp>(x, y); break;
            case (Width.Scalar, "sin"): FastTrig.Map<NoSimd, FastTrig.SinOp>(x, y); break;
            case (Width.W512, "cos"): FastTrig.Map<Simd512, FastTrig.CosOp>(x, y); break;
            case (Width.W256, "cos"): FastTrig.Map<Simd256, FastTrig.CosOp>(x, y); break;
            case (Width.W128, "cos"): FastTrig.Map<Simd128, FastTrig.CosOp>(x, y); break;
            case (Width.Scalar, "cos"): FastTrig.Map<NoSimd, FastTrig.CosOp>(x, y); break;
            case (Width.W512, "exp"): FastTrig.Map<Simd512, FastTrig.ExpOp>(x, y); break;
            case (Width.W256, "exp"): FastTrig.Map<Simd256, FastTrig.ExpOp>(x, y); break;
            case (Width.W128, "exp"): FastTrig.Map<Simd128, FastTrig.ExpOp>(x, y); break;
            case (Width.Scalar, "exp"): FastTrig.Map<NoSimd, FastTrig.ExpOp>(x, y); break;
            default: throw new ArgumentException(op);
        }
    }

    private static void SinCos(Width w, float[] x, float[] s, float[] c)
    {
        switch (w)
        {
            case Width.W512: FastTrig.SinCos<Simd512>(x, s, c); break;
            case Width.W256: FastTrig.SinCos<Simd256>(x, s, c); break;
            case Width.W128: FastTrig.SinCos<Simd128>(x, s, c); break;
            default: FastTrig.SinCos<NoSimd>(x, s, c); break;
        }
    }

    // ---------- point sets (deterministic) ----------

    private static float[] Uniform(ulong seed, int n, float lo, float hi)
    {
        var x = new float[n];
        new Rng(seed).FillUniform(x, lo, hi);
        return x;
    }

    private static float[] Sweep(int n, double lo, double hi)
        => Enumerable.Range(0, n).Select(i => (float)(lo + (hi - lo) * i / (n - 1))).ToArray();

    // The float nearest each multiple of π/2 in the designed range and its four neighbours either side.
    private static float[] NearHalfPiMultiples()
    {
        var list = new List<float>();
        int kMax = (int)(FastTrig.MaxArgument / (Math.PI / 2));
        for (int k = -kMax; k <= kMax; k++)
        {
            float c = (float)(k * Math.PI / 2), up = c, down = c;
            list.Add(c);
            for (int t = 0; t < 4; t++) { up = MathF.BitIncrement(up); down = MathF.BitDecrement(down); list.Add(up); list.Add(down); }
        }
        return [.. list];
    }

    private static float[] Tiny()
    {
        var list = new List<float>();
        for (int e = 10; e <= 149; e++)
            foreach (float m in new[] { 1f, 1.3f, 1.9999999f })
            {
                float v = m * MathF.Pow(2, -e);
                if (v != 0) { list.Add(v); list.Add(-v); }
            }
        return [.. list];
    }

    private static IEnumerable<(string Name, float[] X)> TrigSets() =>
    [
        ("uniform ±1e4", Uniform(20240611, 1_000_000, -FastTrig.MaxArgument, FastTrig.MaxArgument)),
        ("sweep ±4π", Sweep(1_000_000, -4 * Math.PI, 4 * Math.PI)),
        ("near kπ/2", NearHalfPiMultiples()),
        ("tiny", Tiny()),
    ];

    private static double Ulp(double reference)
    {
        float f = MathF.Abs((float)reference);
        return MathF.BitIncrement(f) - f;
    }

    private static void AssertTrigBound(string what, float[] x, float[] y, Func<double, double> reference)
    {
        double maxAbs = 0, maxUlp = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double want = reference(x[i]);
            double err = Math.Abs(y[i] - want), ulps = want == 0 ? 0 : err / Ulp(want);
            maxAbs = Math.Max(maxAbs, err);
            maxUlp = Math.Max(maxUlp, ulps);
            if (!(err <= AbsBound) || !(ulps <= UlpBound))
                Assert.Fail($"{what}: x = {x[i]:R} gives {y[i]:R}, want {want:R} (error {err:E3}, {ulps:F2} ulp)");
        }
        Assert.True(maxAbs <= AbsBound && maxUlp <= UlpBound, $"{what}: max abs {maxAbs:E3}, max {maxUlp:F2} ulp");
    }

    [Fact]
    public void Sin_and_cos_are_within_the_error_bound()
    {
        foreach (var (name, x) in TrigSets())
        {
            var s = x.Select(FastTrig.Sin).ToArray();
            var c = x.Select(FastTrig.Cos).ToArray();
            AssertTrigBound("sin " + name, x, s, Math.Sin);
            AssertTrigBound("cos " + name, x, c, Math.Cos);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Every_width_gives_the_scalar_bits(Width w)
    {
        // without hardware FMA the scalar functions are MathF's, and the dispatch never runs a vector width
        if (!FastTrig.IsAccelerated && w != Width.Scalar) return;
        var special = new[] { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, FastTrig.MaxArgument, -FastTrig.MaxArgument,
            MathF.BitIncrement(FastTrig.MaxArgument), -1e5f, 1e30f, float.MaxValue, float.Epsilon, -float.Epsilon };
        foreach (var (name, x0) in TrigSets().Append(("special", special)))
        {
            // special values sit among in-range lanes, so a patched vector also keeps its other lanes
            var x = name == "special" ? special.SelectMany(v => new[] { v, 1.5f, -2.5f }).Concat(Enumerable.Repeat(0.7f, 40)).ToArray() : x0;
            var y = new float[x.Length];
            var s = new float[x.Length];
            var c = new float[x.Length];
            Map(w, "sin", x, y);
            AssertBits(x, y, FastTrig.Sin, $"sin {name} {w}");
            Map(w, "cos", x, y);
            AssertBits(x, y, FastTrig.Cos, $"cos {name} {w}");
            SinCos(w, x, s, c);
            AssertBits(x, s, FastTrig.Sin, $"sincos.sin {name} {w}");
            AssertBits(x, c, FastTrig.Cos, $"sincos.cos {name} {w}");
        }
        var e = Uniform(7, 100_000, -110f, 95f).Concat(new[] { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 88.72f, 88.73f, -87.4f, -103.97f, -104f }).ToArray();
        var ye = new float[e.Length];
        Map(w, "exp", e, ye);
        AssertBits(e, ye, FastTrig.Exp, $"exp {w}");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Exp_normal_is_exp_without_subnormals_in_every_width(Width w)
    {
        if (!FastTrig.IsAccelerated && w != Width.Scalar) return;
        var x = Uniform(11, 50_000, -110f, 20f).Concat(new[] { 0f, float.NaN, float.NegativeInfinity, FastTrig.ExpNormalMin,
            MathF.BitDecrement(FastTrig.ExpNormalMin), -87.336544f, -87.5f, -103.97f, -104f }).ToArray();
        var y = new float[x.Length];
        switch (w)
        {
            case Width.W512: FastTrig.Map<Simd512, FastTrig.ExpNormalOp>(x, y); break;
            case Width.W256: FastTrig.Map<Simd256, FastTrig.ExpNormalOp>(x, y); break;
            case Width.W128: FastTrig.Map<Simd128, FastTrig.ExpNormalOp>(x, y); break;
            default: FastTrig.Map<NoSimd, FastTrig.ExpNormalOp>(x, y); break;
        }
        AssertBits(x, y, FastTrig.ExpNormal, $"expnormal {w}");
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i])) { Assert.True(float.IsNaN(y[i])); continue; }
            Assert.False(float.IsSubnormal(y[i]), $"exp({x[i]:R}) gave the subnormal {y[i]:R}");
            if (x[i] >= FastTrig.ExpNormalMin) Assert.Equal(FastTrig.Exp(x[i]), y[i]);   // unchanged where exp is normal
            else Assert.True(y[i] == 0f && Math.Exp(x[i]) < 1.2e-38, $"x = {x[i]:R}: {y[i]:R}");
        }
    }

    private static void AssertBits(float[] x, float[] y, Func<float, float> scalar, string what)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float want = scalar(x[i]);
            if (BitConverter.SingleToInt32Bits(y[i]) != BitConverter.SingleToInt32Bits(want) && !(float.IsNaN(y[i]) && float.IsNaN(want)))
                Assert.Fail($"{what}: x = {x[i]:R} at {i} gives {y[i]:R}, scalar {want:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Every_length_0_to_70_fills_its_tail(Width w)
    {
        if (!FastTrig.IsAccelerated && w != Width.Scalar) return;
        for (int n = 0; n <= 70; n++)
        {
            var x = Uniform((ulong)n + 3, n, -50f, 50f);
            var y = new float[n];
            foreach (string op in new[] { "sin", "cos", "exp" })
            {
                Map(w, op, x, y);
                Func<float, float> scalar = op == "sin" ? FastTrig.Sin : op == "cos" ? FastTrig.Cos : FastTrig.Exp;
                AssertBits(x, y, scalar, $"{op} n={n} {w}");
            }
            var s = new float[n + 1];
            var c = new float[n + 1];
            s[n] = c[n] = 123f;
            var sb = new float[n];
            var cb = new float[n];
            SinCos(w, x, sb, cb);
            AssertBits(x, sb, FastTrig.Sin, $"sincos n={n} {w}");
            AssertBits(x, cb, FastTrig.Cos, $"sincos n={n} {w}");
            // through spans of a longer buffer: the element past the end is untouched
            var guarded = new float[n + 1];
            guarded[n] = 123f;
            FastTrig.Sin(x, guarded.AsSpan(0, n));
            Assert.Equal(123f, guarded[n]);
            FastTrig.SinCos(x, s.AsSpan(0, n), c.AsSpan(0, n));
            Assert.Equal(123f, s[n]);
            Assert.Equal(123f, c[n]);
        }
    }

    [Fact]
    public void Special_values()
    {
        Assert.Equal(BitConverter.SingleToInt32Bits(0f), BitConverter.SingleToInt32Bits(FastTrig.Sin(0f)));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(FastTrig.Sin(-0f)));
        Assert.Equal(1f, FastTrig.Cos(0f));
        Assert.Equal(1f, FastTrig.Cos(-0f));
        foreach (float v in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            Assert.True(float.IsNaN(FastTrig.Sin(v)));
            Assert.True(float.IsNaN(FastTrig.Cos(v)));
            var (s, c) = FastTrig.SinCos(v);
            Assert.True(float.IsNaN(s) && float.IsNaN(c));
        }
        // beyond the designed range: MathF's results exactly
        foreach (float v in new[] { MathF.BitIncrement(FastTrig.MaxArgument), -2e4f, 1e6f, 3e38f })
        {
            Assert.Equal(MathF.Sin(v), FastTrig.Sin(v));
            Assert.Equal(MathF.Cos(v), FastTrig.Cos(v));
        }
        Assert.Equal(1f, FastTrig.Exp(0f));
        Assert.Equal(1f, FastTrig.Exp(-0f));
        Assert.True(float.IsNaN(FastTrig.Exp(float.NaN)));
        Assert.Equal(float.PositiveInfinity, FastTrig.Exp(float.PositiveInfinity));
        Assert.Equal(float.PositiveInfinity, FastTrig.Exp(88.73f));
        Assert.Equal(0f, FastTrig.Exp(float.NegativeInfinity));
        Assert.Equal(0f, FastTrig.Exp(-104f));
        Assert.Equal(0f, FastTrig.Exp(-1000f));
    }

    [Fact]
    public void Exp_is_within_the_ulp_bound_and_one_subnormal_ulp()
    {
        var x = Uniform(11, 1_000_000, -87f, 88f).Concat(Sweep(100_001, -1, 1)).ToArray();
        double maxUlp = 0;
        foreach (float v in x)
        {
            double want = Math.Exp(v);
            double u = Math.Abs(FastTrig.Exp(v) - want) / Ulp(want);
            maxUlp = Math.Max(maxUlp, u);
            if (!(u <= ExpUlpBound)) Assert.Fail($"exp({v:R}) = {FastTrig.Exp(v):R}, want {want:R} ({u:F2} ulp)");
        }
        foreach (float v in Uniform(12, 100_000, -104f, -87f))
        {
            double err = Math.Abs(FastTrig.Exp(v) - Math.Exp(v));
            if (!(err <= float.Epsilon)) Assert.Fail($"exp({v:R}) = {FastTrig.Exp(v):R}, want {Math.Exp(v):R}");
        }
        Assert.True(maxUlp <= ExpUlpBound);
    }
}
