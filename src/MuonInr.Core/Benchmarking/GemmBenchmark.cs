using System.Diagnostics;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Benchmarking;

/// <summary>One measured GEMM case.</summary>
/// <param name="Op">NN, NT, TN or TT.</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">Inner dimension.</param>
/// <param name="Provider">Provider name.</param>
/// <param name="Gflops">Median GFLOP/s.</param>
/// <param name="MaxRelativeError">Validation error against the reference on sampled entries.</param>
public sealed record GemmMeasurement(string Op, int M, int N, int K, string Provider, double Gflops, double MaxRelativeError);

/// <summary>
/// Validate-then-time GEMM measurement (llm.c's workbench idea): each provider's result is first checked
/// against a double-precision dot product on sampled entries, then timed as the median of several calls
/// after warm-up.
/// </summary>
public static class GemmBenchmark
{
    /// <summary>The INR products for <paramref name="points"/> points and width <paramref name="width"/>: forward (NT), input gradient (NN), weight gradient (TN).</summary>
    public static IReadOnlyList<(string Op, int M, int N, int K)> InrCases(int points = 65_536, int width = 256) =>
    [
        ("NT", points, width, width),
        ("NN", points, width, width),
        ("TN", width, width, points),
    ];

    /// <summary>Odd sizes that exercise tails and small products.</summary>
    public static IReadOnlyList<(string Op, int M, int N, int K)> OddCases =>
    [
        ("NN", 257, 257, 257),
        ("NT", 24_576, 3, 256),
        ("NN", 1000, 300, 300),
        ("NN", 2048, 2048, 2048),
    ];

    /// <summary>
    /// The providers other than <paramref name="reference"/> that are at least <paramref name="factor"/> times
    /// slower than it on every case both measured (a reference BLAS beside the managed kernels), in order of
    /// first appearance. A provider that shares no case with the reference is not far behind.
    /// </summary>
    public static IReadOnlyList<string> FarBehind(IEnumerable<GemmMeasurement> measurements, string reference, double factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(factor, 1.0);
        var list = measurements.ToList();
        var best = list.Where(g => g.Provider == reference)
            .GroupBy(g => (g.Op, g.M, g.N, g.K)).ToDictionary(g => g.Key, g => g.Max(x => x.Gflops));
        bool FarBehindOnShared(IEnumerable<GemmMeasurement> own)
        {
            var shared = own.Where(g => best.ContainsKey((g.Op, g.M, g.N, g.K))).ToList();
            return shared.Count > 0 && shared.All(g => g.Gflops * factor <= best[(g.Op, g.M, g.N, g.K)]);
        }
        return [.. list.Where(g => g.Provider != reference).GroupBy(g => g.Provider).Where(FarBehindOnShared).Select(p => p.Key)];
    }

    /// <summary>Measures <paramref name="provider"/> on one case.</summary>
    public static GemmMeasurement Measure(IGemmProvider provider, string op, int m, int n, int k, int repetitions = 5)
    {
        bool ta = op[0] == 'T', tb = op[1] == 'T';
        int lda = ta ? m : k, ldb = tb ? k : n;
        var a = new float[(long)m * k]; var b = new float[(long)k * n]; var c = new float[(long)m * n];
        var rng = new Rng(42);
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        provider.Sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
        double maxErr = 0;
        for (int s = 0; s < 64; s++)
        {
            int i = rng.NextInt(m), j = rng.NextInt(n);
            double refv = 0, mag = 0;
            for (int p = 0; p < k; p++)
            {
                double x = ta ? a[(long)p * lda + i] : a[(long)i * lda + p];
                double y = tb ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                refv += x * y; mag += Math.Abs(x * y);
            }
            maxErr = Math.Max(maxErr, Math.Abs(c[(long)i * n + j] - refv) / Math.Max(mag, 1e-30));
        }
        if (maxErr > 1e-4) throw new InvalidOperationException($"{provider.Name} {op} {m}x{n}x{k} failed validation: relative error {maxErr:E2}.");
        provider.Sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
        var times = new double[repetitions];
        for (int r = 0; r < repetitions; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            provider.Sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            times[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Array.Sort(times);
        return new GemmMeasurement(op, m, n, k, provider.Name, 2.0 * m * n * k / times[repetitions / 2] / 1e9, maxErr);
    }
}
