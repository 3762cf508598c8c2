namespace MuonInr.Signals;

/// <summary>
/// A one-dimensional resampling as a sparse matrix: output sample i = Σ_j Weights[i][j] · input[Start[i] + j].
/// Built with PyTorch's conventions (align_corners = False, scale = input size / output size), so that
/// a separable pass along each axis reproduces <c>torch.nn.functional.interpolate</c>:
/// <list type="bullet">
/// <item><see cref="BicubicAntialiased"/>: <c>mode='bicubic', antialias=True</c> (Keys cubic with a = −0.5,
/// support stretched by the scale when downsampling, weights renormalised to sum to one);</item>
/// <item><see cref="Bicubic"/>: <c>mode='bicubic'</c> (Keys cubic with a = −0.75, four taps, source
/// indices clamped to the border).</item>
/// </list>
/// </summary>
public sealed class Resampling1D
{
    private Resampling1D(int inputSize, int outputSize, int[] start, float[][] weights)
    {
        InputSize = inputSize; OutputSize = outputSize; Start = start; Weights = weights;
    }

    /// <summary>Input length.</summary>
    public int InputSize { get; }
    /// <summary>Output length.</summary>
    public int OutputSize { get; }
    /// <summary>First input index of each output's taps.</summary>
    public int[] Start { get; }
    /// <summary>Tap weights of each output sample (consecutive input indices from <see cref="Start"/>).</summary>
    public float[][] Weights { get; }

    private static void CheckSizes(int inputSize, int outputSize)
    {
        if (inputSize <= 0 || outputSize <= 0)
            throw new ArgumentException($"Resampling needs positive sizes, got {inputSize} → {outputSize}.");
    }

    // Keys' cubic convolution kernel with parameter a.
    private static double Cubic(double x, double a)
    {
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        return 0;
    }

    /// <summary>
    /// PyTorch's antialiased bicubic (upsample_bicubic2d_aa): for output i the centre is scale·(i + ½);
    /// taps j ∈ [max(⌊centre − support + ½⌋, 0), min(⌊centre + support + ½⌋, n)), support = 2·max(scale, 1),
    /// weight = cubic((j − centre + ½) / max(scale, 1)) with a = −0.5, normalised to sum to one.
    /// </summary>
    public static Resampling1D BicubicAntialiased(int inputSize, int outputSize)
    {
        CheckSizes(inputSize, outputSize);
        double scale = (double)inputSize / outputSize;
        double support = scale >= 1 ? 2 * scale : 2, invScale = scale >= 1 ? 1 / scale : 1;
        var start = new int[outputSize];
        var weights = new float[outputSize][];
        for (int i = 0; i < outputSize; i++)
        {
            double center = scale * (i + 0.5);
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inputSize);
            var w = new double[Math.Max(0, xmax - xmin)];
            double total = 0;
            for (int j = 0; j < w.Length; j++) { w[j] = Cubic((j + xmin - center + 0.5) * invScale, -0.5); total += w[j]; }
            start[i] = xmin;
            weights[i] = w.Select(v => (float)(total != 0 ? v / total : v)).ToArray();
        }
        return new Resampling1D(inputSize, outputSize, start, weights);
    }

    /// <summary>
    /// PyTorch's plain bicubic (upsample_bicubic2d, align_corners = False): source x = scale·(i + ½) − ½,
    /// four taps at ⌊x⌋ − 1 … ⌊x⌋ + 2 clamped to [0, n − 1], Keys cubic with a = −0.75 (no renormalisation;
    /// the four weights sum to one by construction).
    /// </summary>
    public static Resampling1D Bicubic(int inputSize, int outputSize)
    {
        CheckSizes(inputSize, outputSize);
        double scale = (double)inputSize / outputSize;
        var start = new int[outputSize];
        var weights = new float[outputSize][];
        for (int i = 0; i < outputSize; i++)
        {
            double x = scale * (i + 0.5) - 0.5;
            int x0 = (int)Math.Floor(x);
            double t = x - x0;
            double[] c = [Cubic(t + 1, -0.75), Cubic(t, -0.75), Cubic(1 - t, -0.75), Cubic(2 - t, -0.75)];
            // Clamped taps fold onto the border samples: gather them into one contiguous run.
            int lo = Math.Clamp(x0 - 1, 0, inputSize - 1), hi = Math.Clamp(x0 + 2, 0, inputSize - 1);
            var w = new double[hi - lo + 1];
            for (int k = 0; k < 4; k++) w[Math.Clamp(x0 - 1 + k, 0, inputSize - 1) - lo] += c[k];
            start[i] = lo;
            weights[i] = w.Select(v => (float)v).ToArray();
        }
        return new Resampling1D(inputSize, outputSize, start, weights);
    }
}
