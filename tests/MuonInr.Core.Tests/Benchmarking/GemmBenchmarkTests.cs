using MuonInr.Benchmarking;
using MuonInr.Kernels;

namespace MuonInr.Core.Tests.Benchmarking;

public class GemmBenchmarkTests
{
    private static GemmMeasurement M(string provider, string op, int size, double gflops) => new(op, size, size, size, provider, gflops, 0);

    [Fact]
    public void A_provider_far_behind_on_every_case_is_named_once()
    {
        var all = new[]
        {
            M("managed", "NT", 64, 180), M("managed", "NN", 64, 170), M("managed", "NT", 64, 150),
            M("cblas", "NT", 64, 5), M("cblas", "NN", 64, 6), M("cblas", "NN", 64, 4),
        };
        Assert.Equal(["cblas"], GemmBenchmark.FarBehind(all, "managed", 3));
    }

    [Fact]
    public void One_case_within_the_factor_keeps_a_provider_in_every_round()
    {
        // 170 / 3 = 56.7: 57 GFLOP/s on NN is within the factor, however slow NT is.
        var all = new[] { M("managed", "NT", 64, 180), M("managed", "NN", 64, 170), M("openblas", "NT", 64, 5), M("openblas", "NN", 64, 57) };
        Assert.Empty(GemmBenchmark.FarBehind(all, "managed", 3));
        // Exactly 3x slower counts as far behind; the reference's best round is the one compared.
        var exact = new[] { M("managed", "NT", 64, 120), M("managed", "NT", 64, 180), M("openblas", "NT", 64, 60) };
        Assert.Equal(["openblas"], GemmBenchmark.FarBehind(exact, "managed", 3));
    }

    [Fact]
    public void A_provider_sharing_no_case_with_the_reference_is_not_far_behind()
    {
        var all = new[] { M("managed", "NT", 64, 180), M("cblas", "NN", 128, 1) };
        Assert.Empty(GemmBenchmark.FarBehind(all, "managed", 3));
        Assert.Empty(GemmBenchmark.FarBehind([], "managed", 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.FarBehind(all, "managed", 1.0));
    }

    [Fact]
    public void Measure_validates_and_times_a_provider()
    {
        var g = GemmBenchmark.Measure(new GemmReference(), "TN", 17, 9, 33, repetitions: 1);
        Assert.Equal(("TN", 17, 9, 33, "reference"), (g.Op, g.M, g.N, g.K, g.Provider));
        Assert.True(g.Gflops > 0 && g.MaxRelativeError < 1e-5, $"{g.Gflops} GFLOP/s, error {g.MaxRelativeError}");
    }
}
