using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tasks.Ct;

/// <summary>
/// Sparse-view CT (paper B.4, fit_ct.py): the image is loaded as 8-bit gray and min–max normalised, its
/// sinogram over <c>projections</c> angles linspace(0°, 180°) (both ends) is the measurement (optionally
/// with Poisson photon and Gaussian readout noise), the INR is fitted through the Radon transform, and
/// PSNR/SSIM compare the image clamped to [0, 1] (as the paper's code evaluates); filtered
/// back-projection is the baseline.
/// </summary>
public sealed class CtTask : IFitTask
{
    /// <inheritdoc />
    public string Name => "ct";
    /// <inheritdoc />
    public string Description => "Sparse-view CT: fit an INR to an image through the Radon transform of its sinogram (FBP as baseline).";
    /// <inheritdoc />
    public string DataDescription => "image or DICOM slice ('generated' for the built-in test image)";
    /// <inheritdoc />
    public IReadOnlyList<TaskOption> Options { get; } =
    [
        .. ImageInput.CommonOptions(gray: false),
        new TaskOption("projections", TaskOptionKind.Integer, "Projections evenly over [0°, 180°], both ends (fit_ct.py).") { Min = 1, Max = 100000 },
        new TaskOption("noise_tau", TaskOptionKind.Number, "Photons per unit of sinogram for Poisson measurement noise (paper code 30); null = noise-free.") { Min = 0, MinExclusive = true, Nullable = true },
        new TaskOption("noise_readout", TaskOptionKind.Number, "Readout noise σ in photons, used with noise_tau (paper code 2).") { Min = 0 },
    ];

    /// <inheritdoc />
    public FitProblem Prepare(TaskContext c)
    {
        var signal = ImageInput.Load(c, gray: true, EightBitMinMax);
        int projections = c.Integer("projections");
        var radon = new RadonTransform(signal.Height, signal.Width, RadonTransform.LinspaceAngles(projections));
        var measurements = Tensor.Zeros(projections, signal.Width).Escape();
        radon.Apply(signal.Pixels, measurements.Span);
        if (c.NullableNumber("noise_tau") is { } tau) MeasurementNoise.Apply(measurements.Span, tau, c.Number("noise_readout"), c.Seed + 2);
        var fbp = FilteredBackProjection.Reconstruct(radon, measurements.Span);
        return new ImageProblem(signal, radon, measurements, c.Chunk, c.Boolean("clamp"), ImageInput.Ssim(c), ("filtered back-projection", "FBP", fbp));
    }

    // The paper's CT loader (fit_ct.py load_ct_image): cv2.imread as 8-bit gray, then min–max normalisation to
    // [0, 1]. A DICOM slice keeps its full precision (ImageIo already min–max normalised its rescaled values):
    // the paper's code mentions DICOM only in its README and cannot read it.
    private static float[] EightBitMinMax(float[] px, MuonInr.IO.ImageFormat? format)
    {
        if (format == MuonInr.IO.ImageFormat.Dicom) return px;
        var q = px.Select(v => MathF.Round(Math.Clamp(v, 0f, 1f) * 255f)).ToArray();
        float lo = q.Min(), hi = q.Max(), range = hi > lo ? hi - lo : 1f;
        for (int i = 0; i < q.Length; i++) q[i] = (q[i] - lo) / range;
        return q;
    }
}
