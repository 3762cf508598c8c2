using MuonInr.Tensors;

namespace MuonInr.Signals;

/// <summary>
/// Sensor noise for measurements (the CT sinogram), as the paper's public code models it: photon noise
/// with τ photons per unit of signal plus Gaussian readout noise in photon units,
/// y = (±Poisson(τ·|x|) + σ_read·N(0, 1)) / τ, the sign of x kept (the sinogram of a non-negative image is
/// non-negative; the sign only matters for filtered data). τ = ∞ leaves only the readout term, y = x + σ_read·N(0, 1).
/// Seeded and deterministic.
/// </summary>
public static class MeasurementNoise
{
    /// <summary>Adds photon and readout noise to <paramref name="values"/> in place.</summary>
    /// <param name="values">Noise-free measurements.</param>
    /// <param name="tau">Photons per unit of signal (paper code default 30); larger is cleaner.</param>
    /// <param name="readoutSigma">Readout noise standard deviation in photons (paper code default 2).</param>
    /// <param name="seed">Seed of the noise.</param>
    public static void Apply(Span<float> values, double tau, double readoutSigma, ulong seed)
    {
        if (!(tau > 0)) throw new ArgumentException($"Photon count τ must be positive, got {tau}.");
        if (!(readoutSigma >= 0)) throw new ArgumentException($"Readout noise σ must be ≥ 0, got {readoutSigma}.");
        var rng = new Rng(seed);
        for (int i = 0; i < values.Length; i++)
        {
            double x = values[i], noise = rng.NextNormal() * readoutSigma;
            if (double.IsPositiveInfinity(tau)) { values[i] = (float)(x + noise); continue; }
            double photons = Poisson(rng, Math.Abs(x) * tau);
            values[i] = (float)(((x > 0 ? photons : -photons) + noise) / tau);
        }
    }

    /// <summary>
    /// A Poisson(λ) sample: multiplication of uniforms for λ &lt; 10, Hörmann's transformed rejection
    /// (PTRS, 1993) above; exact in distribution for every λ ≥ 0.
    /// </summary>
    public static double Poisson(Rng rng, double lambda)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda)) throw new ArgumentException($"Poisson rate must be finite and ≥ 0, got {lambda}.");
        if (lambda == 0) return 0;
        if (lambda < 10)
        {
            double limit = Math.Exp(-lambda), prod = rng.NextDouble();
            int k = 0;
            while (prod > limit) { k++; prod *= rng.NextDouble(); }
            return k;
        }
        double slam = Math.Sqrt(lambda), logLam = Math.Log(lambda);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b, invAlpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = rng.NextDouble() - 0.5, v = rng.NextDouble();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -lambda + k * logLam - LogFactorial(k)) return k;
        }
    }

    private static double LogFactorial(double k) => MathNet.Numerics.SpecialFunctions.GammaLn(k + 1);
}
