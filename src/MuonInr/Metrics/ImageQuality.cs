namespace MuonInr.Metrics;

/// <summary>Image fidelity metrics on float images [height, width, channels], accumulated in double.</summary>
public static class ImageQuality
{
    /// <summary>Mean squared error over all samples.</summary>
    public static double Mse(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target)
    {
        if (prediction.Length != target.Length || target.Length == 0)
            throw new ArgumentException($"MSE needs two non-empty signals of equal length, got {prediction.Length} and {target.Length}.");
        double s = 0;
        for (int i = 0; i < target.Length; i++) { double d = (double)prediction[i] - target[i]; s += d * d; }
        return s / target.Length;
    }

    /// <summary>PSNR in dB = 20·log10(range / √MSE), on the unclamped prediction (PAPER.md). +∞ for identical signals.</summary>
    public static double Psnr(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, double dataRange = 1.0)
        => PsnrFromMse(Mse(prediction, target), dataRange);

    /// <summary>PSNR from an MSE value.</summary>
    public static double PsnrFromMse(double mse, double dataRange = 1.0)
        => mse <= 0 ? double.PositiveInfinity : 20 * Math.Log10(dataRange / Math.Sqrt(mse));

    /// <summary>
    /// Mean SSIM over channels, as scikit-image's <c>structural_similarity</c> with <c>channel_axis=-1</c>
    /// and <c>data_range</c> (default 1): the SSIM map is averaged over the pixels whose whole window lies
    /// inside the image (skimage crops that border), so no padding mode is involved.
    /// </summary>
    public static double Ssim(ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, int height, int width, int channels,
        SsimVariant variant = SsimVariant.SkimageDefault, double dataRange = 1.0)
    {
        if (prediction.Length != target.Length || target.Length != (long)height * width * channels)
            throw new ArgumentException($"SSIM of {height}x{width}x{channels} needs {(long)height * width * channels} values, got {prediction.Length} and {target.Length}.");
        double[] weights = variant == SsimVariant.SkimageDefault ? Uniform(7) : Gaussian(1.5, 5);
        int win = weights.Length, pad = (win - 1) / 2;
        if (height < win || width < win)
            throw new ArgumentException($"SSIM ({variant}) needs images of at least {win}x{win}, got {height}x{width}.");
        double covNorm = variant == SsimVariant.SkimageDefault ? win * win / (win * win - 1.0) : 1.0;
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2);
        int oh = height - 2 * pad, ow = width - 2 * pad;
        var x = new double[height * width]; var y = new double[height * width];
        double total = 0;
        for (int ch = 0; ch < channels; ch++)
        {
            for (int i = 0; i < height * width; i++) { x[i] = prediction[i * channels + ch]; y[i] = target[i * channels + ch]; }
            var ux = Filter(x, height, width, weights); var uy = Filter(y, height, width, weights);
            var uxx = Filter(Product(x, x), height, width, weights); var uyy = Filter(Product(y, y), height, width, weights);
            var uxy = Filter(Product(x, y), height, width, weights);
            double sum = 0;
            for (int i = 0; i < oh * ow; i++)
            {
                double vx = covNorm * (uxx[i] - ux[i] * ux[i]), vy = covNorm * (uyy[i] - uy[i] * uy[i]), vxy = covNorm * (uxy[i] - ux[i] * uy[i]);
                sum += (2 * ux[i] * uy[i] + c1) * (2 * vxy + c2) / ((ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2));
            }
            total += sum / (oh * ow);
        }
        return total / channels;
    }

    private static double[] Product(double[] a, double[] b)
    {
        var p = new double[a.Length];
        for (int i = 0; i < p.Length; i++) p[i] = a[i] * b[i];
        return p;
    }

    // Separable "valid" filtering: output (h − win + 1) × (w − win + 1), window centred on pixel (pad + i, pad + j).
    private static double[] Filter(double[] img, int h, int w, double[] k)
    {
        int win = k.Length, ow = w - win + 1, oh = h - win + 1;
        var rows = new double[h * ow];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < ow; c++)
            {
                double s = 0;
                for (int t = 0; t < win; t++) s += k[t] * img[r * w + c + t];
                rows[r * ow + c] = s;
            }
        var o = new double[oh * ow];
        for (int r = 0; r < oh; r++)
            for (int c = 0; c < ow; c++)
            {
                double s = 0;
                for (int t = 0; t < win; t++) s += k[t] * rows[(r + t) * ow + c];
                o[r * ow + c] = s;
            }
        return o;
    }

    private static double[] Uniform(int n) => Enumerable.Repeat(1.0 / n, n).ToArray();

    // scipy.ndimage.gaussian_filter's kernel: radius = int(truncate·σ + 0.5) = 5 for σ 1.5, truncate 3.5; normalised.
    private static double[] Gaussian(double sigma, int radius)
    {
        var k = new double[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) k[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        double s = k.Sum();
        for (int i = 0; i < k.Length; i++) k[i] /= s;
        return k;
    }
}
