using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Kernels;

/// <summary>
/// The fused INR activation kernels against double references evaluated at the kernels' own float
/// arguments (ω·x, FINER's (ω(|x|+1))·x, the Gaussian envelopes), over every length 0..70 and a few across
/// the thread block size, writing and accumulating; and bit-identical results at 1 and 2 threads.
/// Tolerance: 4e-7 · (scale of the terms) + 2e-7 · |reference|, a few float roundings on top of
/// FastTrig's 1e-7 bound.
/// </summary>
[Collection(WorkerPoolDegreeCollection.Name)]
public class InrActivationKernelTests
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 71), 1023, 1024, 1025, 2047, 4100];
    private const float Omega = 30f, Sigma = 2.5f, GaussA = 0.4f;

    private static float[] Uniform(ulong seed, int n, float scale)
    {
        var x = new float[n];
        new Rng(seed).FillUniform(x, -scale, scale);
        return x;
    }

    private static void Near(double want, float got, double scale, string what)
    {
        double tol = 4e-7 * scale + 2e-7 * Math.Abs(want);
        if (!(Math.Abs(got - want) <= tol)) Assert.Fail($"{what}: got {got:R}, want {want:R}");
    }

    private static float FinerScale(float x) => Omega * (MathF.Abs(x) + 1f);

    [Fact]
    public void Forward_kernels_match_double_references()
    {
        foreach (int n in Lengths)
        {
            var x = Uniform((ulong)n + 1, n, 2f);
            var y = new float[n];
            InrActivationKernels.SineForward(x, y, Omega);
            for (int i = 0; i < n; i++) Near(Math.Sin(x[i] * Omega), y[i], 1, $"sine n={n} i={i}");
            InrActivationKernels.FinerForward(x, y, Omega);
            for (int i = 0; i < n; i++) Near(Math.Sin(FinerScale(x[i]) * x[i]), y[i], 1, $"finer n={n} i={i}");
            InrActivationKernels.GaussianForward(x, y, GaussA);
            float c = -0.5f / (GaussA * GaussA);
            for (int i = 0; i < n; i++) Near(Math.Exp(x[i] * x[i] * c), y[i], 0, $"gaussian n={n} i={i}");
            InrActivationKernels.RealGaborForward(x, y, Omega, Sigma);
            for (int i = 0; i < n; i++)
            {
                float sx = x[i] * Sigma;
                double e = Math.Exp(-(sx * sx));
                Near(Math.Sin(x[i] * Omega) * e, y[i], e, $"real gabor n={n} i={i}");
            }
        }
    }

    [Fact]
    public void Backward_kernels_match_double_references_writing_and_accumulating()
    {
        foreach (int n in Lengths)
        foreach (bool acc in new[] { false, true })
        {
            var x = Uniform((ulong)n + 10, n, 2f);
            var gy = Uniform((ulong)n + 20, n, 1f);
            var g0 = Uniform((ulong)n + 30, n, 1f);
            double Base(int i) => acc ? g0[i] : 0;
            var gx = (float[])g0.Clone();

            InrActivationKernels.SineBackward(x, gy, gx, Omega, acc);
            for (int i = 0; i < n; i++)
                Near(Math.Cos(x[i] * Omega) * gy[i] * Omega + Base(i), gx[i], Omega * Math.Abs(gy[i]) + Math.Abs(Base(i)), $"sine' n={n} acc={acc} i={i}");

            gx = (float[])g0.Clone();
            InrActivationKernels.FinerBackward(x, gy, gx, Omega, acc);
            for (int i = 0; i < n; i++)
            {
                float s = FinerScale(x[i]);
                Near(Math.Cos(s * x[i]) * s * gy[i] + Base(i), gx[i], s * Math.Abs(gy[i]) + Math.Abs(Base(i)), $"finer' n={n} acc={acc} i={i}");
            }

            var y = new float[n];
            InrActivationKernels.RealGaborForward(x, y, Omega, Sigma);
            gx = (float[])g0.Clone();
            InrActivationKernels.RealGaborBackward(x, y, gy, gx, Omega, Sigma, acc);
            float twoS2 = 2f * Sigma * Sigma;
            for (int i = 0; i < n; i++)
            {
                float sx = x[i] * Sigma;
                double e = Math.Exp(-(sx * sx));
                double want = gy[i] * (Omega * Math.Cos(x[i] * Omega) * e - (double)twoS2 * x[i] * y[i]) + Base(i);
                Near(want, gx[i], Math.Abs(gy[i]) * (Omega * e + twoS2 * Math.Abs(x[i] * y[i])) + Math.Abs(Base(i)), $"real gabor' n={n} acc={acc} i={i}");
            }
        }
    }

    [Fact]
    public void Complex_gabor_forward_matches_double_reference()
    {
        foreach (int f in new[] { 1, 7, 15, 16, 17, 31, 33, 64, 70, 1030 })
        foreach (bool realInput in new[] { false, true })
        {
            const int rows = 3;
            const float omega = 20f, sigma = 3f;
            int zCols = realInput ? f : 2 * f;
            var z = Uniform((ulong)f + (realInput ? 100u : 0u), rows * zCols, 0.5f);
            var y = new float[rows * 2 * f];
            InrActivationKernels.ComplexGaborForward(z, y, rows, f, omega, sigma, realInput);
            float s2 = sigma * sigma;
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < f; j++)
                {
                    float a = z[r * zCols + j], b = realInput ? 0f : z[r * zCols + f + j];
                    float arg = realInput ? -(s2 * (a * a)) : -(omega * b) - s2 * (a * a + b * b);
                    double e = Math.Exp(arg), theta = a * omega;
                    Near(Math.Cos(theta) * e, y[r * 2 * f + j], e, $"re f={f} real={realInput} r={r} j={j}");
                    Near(Math.Sin(theta) * e, y[r * 2 * f + f + j], e, $"im f={f} real={realInput} r={r} j={j}");
                }
        }
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        const int n = 98_304 + 13;   // several chunks of whole blocks, and a tail
        var x = Uniform(1, n, 3f);
        var gy = Uniform(2, n, 1f);
        var g0 = Uniform(3, n, 1f);
        int saved = WorkerPool.Degree;
        try
        {
            float[][] Run()
            {
                var outs = new List<float[]>();
                var y = new float[n]; InrActivationKernels.SineForward(x, y, Omega); outs.Add(y);
                y = new float[n]; InrActivationKernels.FinerForward(x, y, Omega); outs.Add(y);
                y = new float[n]; InrActivationKernels.GaussianForward(x, y, GaussA); outs.Add(y);
                var yg = new float[n]; InrActivationKernels.RealGaborForward(x, yg, Omega, Sigma); outs.Add(yg);
                foreach (bool acc in new[] { false, true })
                {
                    var g = (float[])g0.Clone(); InrActivationKernels.SineBackward(x, gy, g, Omega, acc); outs.Add(g);
                    g = (float[])g0.Clone(); InrActivationKernels.FinerBackward(x, gy, g, Omega, acc); outs.Add(g);
                    g = (float[])g0.Clone(); InrActivationKernels.RealGaborBackward(x, yg, gy, g, Omega, Sigma, acc); outs.Add(g);
                }
                int rows = 700, f = 64;   // (rows, 2f) complex input from the first rows·2f elements of x
                var yc = new float[rows * 2 * f];
                InrActivationKernels.ComplexGaborForward(x.AsSpan(0, rows * 2 * f), yc, rows, f, 20f, 3f, realInput: false);
                outs.Add(yc);
                return [.. outs];
            }
            WorkerPool.Degree = 1;
            var one = Run();
            WorkerPool.Degree = 2;
            var two = Run();
            for (int k = 0; k < one.Length; k++) Assert.Equal(one[k], two[k]);
        }
        finally { WorkerPool.Degree = saved; }
    }
}
