using MathNet.Numerics.IntegralTransforms;
using System.Numerics;

namespace MuonInr.Signals;

/// <summary>
/// Filtered back-projection, the classical CT baseline: each projection is filtered with the ramp
/// (Ram-Lak) filter |ω| in the Fourier domain (zero-padded to a power of two ≥ 2·width), then
/// back-projected with the adjoint of the same <see cref="RadonTransform"/> and scaled by π / (2·angles).
/// When the angles run over [0°, 180°] with both ends (the paper's linspace), the two end projections are
/// mirror images of the same line integrals: each gets half weight and the scale is π / (2·(angles − 1)).
/// </summary>
public static class FilteredBackProjection
{
    /// <summary>Reconstructs the image [height, width] from a sinogram [angles, width].</summary>
    public static float[] Reconstruct(RadonTransform radon, ReadOnlySpan<float> sinogram)
    {
        if (sinogram.Length != radon.OutputLength)
            throw new ArgumentException($"FBP needs a sinogram of {radon.OutputLength} values, got {sinogram.Length}.");
        int w = radon.Width, angles = radon.Angles.Length;
        int n = 1;
        while (n < 2 * w) n <<= 1;
        var filtered = new float[sinogram.Length];
        var buf = new Complex[n];
        for (int a = 0; a < angles; a++)
        {
            Array.Clear(buf);
            for (int x = 0; x < w; x++) buf[x] = sinogram[a * w + x];
            Fourier.Forward(buf, FourierOptions.Matlab);
            for (int k = 0; k < n; k++)
            {
                double f = Math.Min(k, n - k) / (double)n; // |ω| in cycles per sample
                buf[k] *= 2 * f;
            }
            Fourier.Inverse(buf, FourierOptions.Matlab);
            for (int x = 0; x < w; x++) filtered[a * w + x] = (float)buf[x].Real;
        }
        double effective = angles;
        if (angles > 1 && radon.Angles[0] == 0 && radon.Angles[^1] == 180)
        {
            effective = angles - 1;
            for (int x = 0; x < w; x++) { filtered[x] *= 0.5f; filtered[(angles - 1) * w + x] *= 0.5f; }
        }
        var image = new float[radon.InputLength];
        radon.ApplyAdjoint(filtered, image);
        float scale = (float)(Math.PI / (2 * effective));
        for (int i = 0; i < image.Length; i++) image[i] *= scale;
        return image;
    }
}
