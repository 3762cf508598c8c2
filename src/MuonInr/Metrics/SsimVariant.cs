namespace MuonInr.Metrics;

/// <summary>Which SSIM definition; printed next to every SSIM value because they differ.</summary>
public enum SsimVariant
{
    /// <summary>scikit-image's default: 7x7 uniform window, sample covariance (N/(N−1)), K1 0.01, K2 0.03, border of 3 cropped.</summary>
    SkimageDefault,
    /// <summary>Wang et al. 2004: Gaussian window σ 1.5 with 11 taps, population covariance, border of 5 cropped (skimage gaussian_weights=True).</summary>
    Gaussian,
}
