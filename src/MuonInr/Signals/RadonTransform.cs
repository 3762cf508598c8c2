using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Signals;

/// <summary>
/// The CT forward model of PAPER.md as a linear operator: for each angle θ the image [height, width] is
/// rotated by θ about its centre ((h−1)/2, (w−1)/2) with bilinear interpolation and zeros outside, then
/// summed along the rows, giving the sinogram [angles, width]. Rotation convention: that of
/// scipy.ndimage.rotate(image, θ in degrees, reshape=False, order=1, mode='grid-constant') (tested against
/// it; 'grid-constant' interpolates across the border with zero taps, as torch's grid_sample does). Forward and
/// adjoint walk the same bilinear taps, so ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ holds to rounding; both are computed on
/// the fly (a stored sparse matrix would need ~4·angles·h·w entries, half a gigabyte for chest.png)
/// and run in parallel over angles (the adjoint with per-chunk images summed in a fixed order).
/// </summary>
public sealed class RadonTransform : ILinearOperator
{
    private readonly double[] _cos, _sin;

    /// <summary>Creates the operator for <paramref name="anglesDegrees"/>.</summary>
    public RadonTransform(int height, int width, IReadOnlyList<double> anglesDegrees)
    {
        if (height <= 0 || width <= 0 || anglesDegrees.Count == 0)
            throw new ArgumentException($"Radon transform needs a positive image size and at least one angle, got {height}x{width} and {anglesDegrees.Count} angles.");
        Height = height; Width = width; Angles = [.. anglesDegrees];
        _cos = Angles.Select(a => Math.Cos(a * Math.PI / 180)).ToArray();
        _sin = Angles.Select(a => Math.Sin(a * Math.PI / 180)).ToArray();
    }

    /// <summary><paramref name="count"/> angles evenly over [0°, 180°) (PAPER.md: "evenly over 0..180°", endpoint excluded as 180° duplicates 0°).</summary>
    public static double[] EvenAngles(int count) => Enumerable.Range(0, count).Select(i => 180.0 * i / count).ToArray();

    /// <summary>
    /// <paramref name="count"/> angles evenly over [0°, 180°] with both ends, as the paper's code
    /// (torch.linspace(0, 180, count)); the CT task's default. One angle gives [0°].
    /// </summary>
    public static double[] LinspaceAngles(int count) => Enumerable.Range(0, count).Select(i => count == 1 ? 0.0 : 180.0 * i / (count - 1)).ToArray();

    /// <summary>Image rows.</summary>
    public int Height { get; }
    /// <summary>Image columns (= detector bins).</summary>
    public int Width { get; }
    /// <summary>Projection angles in degrees.</summary>
    public double[] Angles { get; }
    /// <inheritdoc />
    public int InputLength => Height * Width;
    /// <inheritdoc />
    public int OutputLength => Angles.Length * Width;

    // Source position of output pixel (y, x) of the image rotated by angle a.
    private void Source(int a, int y, int x, out double sy, out double sx)
    {
        double cy = (Height - 1) / 2.0, cx = (Width - 1) / 2.0, dy = y - cy, dx = x - cx;
        sy = _cos[a] * dy + _sin[a] * dx + cy;
        sx = -_sin[a] * dy + _cos[a] * dx + cx;
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> image, Span<float> sinogram)
    {
        if (image.Length != InputLength || sinogram.Length != OutputLength)
            throw new ArgumentException($"Radon forward needs an image of {InputLength} and a sinogram of {OutputLength} values, got {image.Length} and {sinogram.Length}.");
        unsafe
        {
            fixed (float* pi = image) fixed (float* ps = sinogram)
            {
                float* img = pi, sino = ps;
                int h = Height, w = Width;
                WorkerPool.Run(Angles.Length, a =>
                {
                    float* row = sino + (long)a * w;
                    for (int x = 0; x < w; x++)
                    {
                        double s = 0;
                        for (int y = 0; y < h; y++)
                        {
                            Source(a, y, x, out double sy, out double sx);
                            int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                            double fy = sy - y0, fx = sx - x0;
                            s += Tap(img, y0, x0, h, w) * (1 - fy) * (1 - fx) + Tap(img, y0, x0 + 1, h, w) * (1 - fy) * fx
                               + Tap(img, y0 + 1, x0, h, w) * fy * (1 - fx) + Tap(img, y0 + 1, x0 + 1, h, w) * fy * fx;
                        }
                        row[x] = (float)s;
                    }
                });
            }
        }
    }

    private static unsafe double Tap(float* img, int y, int x, int h, int w)
        => (uint)y < (uint)h && (uint)x < (uint)w ? img[(long)y * w + x] : 0.0;

    /// <inheritdoc />
    public void ApplyAdjoint(ReadOnlySpan<float> sinogram, Span<float> image)
    {
        if (image.Length != InputLength || sinogram.Length != OutputLength)
            throw new ArgumentException($"Radon adjoint needs a sinogram of {OutputLength} and an image of {InputLength} values, got {sinogram.Length} and {image.Length}.");
        int chunks = Math.Min(WorkerPool.Degree, Angles.Length), n = InputLength;
        var partial = new double[chunks * (long)n];
        unsafe
        {
            fixed (float* ps = sinogram) fixed (double* pp = partial)
            {
                float* sino = ps; double* parts = pp;
                int h = Height, w = Width, angles = Angles.Length;
                WorkerPool.Run(chunks, c =>
                {
                    double* acc = parts + (long)c * n;
                    int a0 = angles * c / chunks, a1 = angles * (c + 1) / chunks;
                    for (int a = a0; a < a1; a++)
                        for (int x = 0; x < w; x++)
                        {
                            double g = sino[(long)a * w + x];
                            if (g == 0) continue;
                            for (int y = 0; y < h; y++)
                            {
                                Source(a, y, x, out double sy, out double sx);
                                int y0 = (int)Math.Floor(sy), x0 = (int)Math.Floor(sx);
                                double fy = sy - y0, fx = sx - x0;
                                Add(acc, y0, x0, h, w, g * (1 - fy) * (1 - fx));
                                Add(acc, y0, x0 + 1, h, w, g * (1 - fy) * fx);
                                Add(acc, y0 + 1, x0, h, w, g * fy * (1 - fx));
                                Add(acc, y0 + 1, x0 + 1, h, w, g * fy * fx);
                            }
                        }
                });
            }
        }
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int c = 0; c < chunks; c++) s += partial[(long)c * n + i];
            image[i] = (float)s;
        }
    }

    private static unsafe void Add(double* acc, int y, int x, int h, int w, double v)
    {
        if ((uint)y < (uint)h && (uint)x < (uint)w) acc[(long)y * w + x] += v;
    }
}
