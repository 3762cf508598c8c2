using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tasks.Sisr;

/// <summary>
/// Single-image super-resolution (paper B.5, fit_sisr.py): the low-resolution target is the image
/// downsampled by <c>scale</c> with the antialiased bicubic kernel (torch semantics); the INR is evaluated
/// on the high-resolution grid and trained through the same downsampler; metrics compare the
/// high-resolution prediction with the original; bicubic upsampling of the target is the baseline.
/// </summary>
public sealed class SisrTask : IFitTask
{
    /// <inheritdoc />
    public string Name => "sisr";
    /// <inheritdoc />
    public string Description => "Super-resolution: fit an INR on the high-resolution grid through the antialiased bicubic downsampler against the low-resolution image (bicubic upsampling as baseline).";
    /// <inheritdoc />
    public string DataDescription => "high-resolution image ('generated' for the built-in test image)";
    /// <inheritdoc />
    public IReadOnlyList<TaskOption> Options { get; } =
    [
        .. ImageInput.CommonOptions(gray: true),
        new TaskOption("scale", TaskOptionKind.Integer, "Downsampling factor between the image and its low-resolution target (paper 4).") { Min = 2, Max = 64 },
    ];

    /// <inheritdoc />
    public FitProblem Prepare(TaskContext c)
    {
        var signal = ImageInput.Load(c, c.Boolean("gray"));
        int s = c.Integer("scale"), lh = signal.Height / s, lw = signal.Width / s;
        if (lh < 1 || lw < 1)
            throw new RunSpecException("options.scale", $"options.scale {s} leaves no low-resolution pixel of the {signal.Height}x{signal.Width} image; use a scale ≤ {Math.Min(signal.Height, signal.Width)}.");
        var down = ImageResampler.BicubicAntialiased(signal.Height, signal.Width, lh, lw, signal.Channels);
        var measurements = Tensor.Zeros(lh * lw, signal.Channels).Escape();
        down.Apply(signal.Pixels, measurements.Span);
        var bicubic = ImageResampler.Bicubic(lh, lw, signal.Height, signal.Width, signal.Channels).Apply(measurements.Span);
        return new ImageProblem(signal, down, measurements, c.Chunk, c.Boolean("clamp"), ImageInput.Ssim(c), ($"bicubic x{s} upsampling", "bicubic", bicubic));
    }
}
