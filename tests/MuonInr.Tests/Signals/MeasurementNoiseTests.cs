using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tests.Signals;

public class MeasurementNoiseTests
{
    [Theory]
    [InlineData(0.7)]
    [InlineData(4.0)]
    [InlineData(9.99)]
    [InlineData(10.0)]
    [InlineData(37.5)]
    [InlineData(2500.0)]
    public void Poisson_samples_have_the_right_mean_variance_and_third_moment(double lambda)
    {
        var rng = new Rng(11);
        int n = 200_000;
        double s = 0, s2 = 0, s3 = 0;
        var xs = new double[n];
        for (int i = 0; i < n; i++) { xs[i] = MeasurementNoise.Poisson(rng, lambda); Assert.Equal(Math.Floor(xs[i]), xs[i]); Assert.True(xs[i] >= 0); s += xs[i]; }
        double mean = s / n;
        foreach (var x in xs) { double d = x - mean; s2 += d * d; s3 += d * d * d; }
        double variance = s2 / (n - 1), skew = s3 / n / Math.Pow(variance, 1.5);
        // Standard errors: mean sqrt(λ/n); variance ≈ λ·sqrt(2/n); skewness (1/sqrt λ) ≈ sqrt(6/n).
        Assert.InRange(mean, lambda - 5 * Math.Sqrt(lambda / n), lambda + 5 * Math.Sqrt(lambda / n));
        Assert.InRange(variance, lambda * (1 - 6 * Math.Sqrt(2.0 / n)) - 0.01, lambda * (1 + 6 * Math.Sqrt(2.0 / n)) + 0.01);
        Assert.InRange(skew, 1 / Math.Sqrt(lambda) - 6 * Math.Sqrt(6.0 / n), 1 / Math.Sqrt(lambda) + 6 * Math.Sqrt(6.0 / n));
    }

    [Fact]
    public void Poisson_probabilities_match_the_pmf_at_a_moderate_rate()
    {
        // λ = 12 goes through the rejection sampler; compare the histogram with the pmf.
        var rng = new Rng(3);
        double lambda = 12; int n = 300_000;
        var counts = new int[60];
        for (int i = 0; i < n; i++) counts[Math.Min(59, (int)MeasurementNoise.Poisson(rng, lambda))]++;
        double logP = -lambda;
        for (int k = 0; k < 30; k++)
        {
            if (k > 0) logP += Math.Log(lambda) - Math.Log(k);
            double p = Math.Exp(logP), expected = p * n, tol = 5 * Math.Sqrt(expected) + 3;
            Assert.True(Math.Abs(counts[k] - expected) < tol, $"k={k}: {counts[k]} vs {expected:F0}");
        }
    }

    [Fact]
    public void Noise_is_seeded_unbiased_and_scales_with_tau()
    {
        var clean = Enumerable.Range(0, 50_000).Select(i => 2f + (i % 7)).ToArray();
        float[] Noisy(double tau, ulong seed) { var v = (float[])clean.Clone(); MeasurementNoise.Apply(v, tau, 2, seed); return v; }
        Assert.Equal(Noisy(30, 1), Noisy(30, 1));
        Assert.NotEqual(Noisy(30, 1), Noisy(30, 2));
        double Rms(float[] v) => Math.Sqrt(v.Zip(clean, (a, b) => (double)(a - b) * (a - b)).Average());
        double Bias(float[] v) => v.Zip(clean, (a, b) => (double)(a - b)).Average();
        Assert.InRange(Bias(Noisy(30, 4)), -0.01, 0.01);
        // Var = x/τ + (σ/τ)²: mean x = 5 → τ = 30: sqrt(5/30 + 4/900) ≈ 0.414; τ = 3000: ≈ 0.0408.
        Assert.InRange(Rms(Noisy(30, 5)), 0.40, 0.43);
        Assert.InRange(Rms(Noisy(3000, 5)), 0.039, 0.043);
        Assert.Throws<ArgumentException>(() => MeasurementNoise.Apply(clean.ToArray(), 0, 2, 1));
    }
}
