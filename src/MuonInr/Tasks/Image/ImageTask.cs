using MuonInr.Signals;

namespace MuonInr.Tasks.Image;

/// <summary>
/// The paper's image task: an INR fitted to every pixel of an image (x along the width, y along the
/// height, linspace(−1, 1)), MSE loss, PSNR on the unclamped prediction as the paper's code; optionally
/// inpainting (train on a seeded fraction of the pixels, PSNR on the rest).
/// </summary>
public sealed class ImageTask : IFitTask
{
    /// <inheritdoc />
    public string Name => "image";
    /// <inheritdoc />
    public string Description => "Fit an INR to an image and write a run directory with a report.";
    /// <inheritdoc />
    public string DataDescription => "image file ('generated' for the built-in high-frequency test image)";
    /// <inheritdoc />
    public IReadOnlyList<TaskOption> Options { get; } =
    [
        .. ImageInput.CommonOptions(gray: true),
        new TaskOption("inpaint", TaskOptionKind.Number, "Train on this seeded fraction of the pixels and report PSNR on the held-out ones; null = fit every pixel.") { Min = 0, MinExclusive = true, Max = 1, Nullable = true },
    ];

    /// <inheritdoc />
    public FitProblem Prepare(TaskContext c)
    {
        var signal = ImageInput.Load(c, c.Boolean("gray"));
        if (c.NullableNumber("inpaint") is { } f)
        {
            var (train, held) = RowSplit.Random(signal.PixelCount, f, c.Seed + 1);
            return new ImageProblem(signal, c.Chunk, c.Boolean("clamp"), ImageInput.Ssim(c), train, held);
        }
        return new ImageProblem(signal, c.Chunk, c.Boolean("clamp"), ImageInput.Ssim(c));
    }
}
