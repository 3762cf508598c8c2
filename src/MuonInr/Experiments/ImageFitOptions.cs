using MuonInr.Fields;
using MuonInr.Metrics;

namespace MuonInr.Experiments;

/// <summary>Everything that defines an image-fitting run (written to config.json).</summary>
public sealed record ImageFitOptions
{
    /// <summary>
    /// "image" (fit the pixels), "ct" (fit the image through the Radon transform of its sinogram) or
    /// "sisr" (fit the high-resolution image through the x<see cref="ScaleFactor"/> antialiased bicubic
    /// downsampler against the low-resolution image).
    /// </summary>
    public string Task { get; init; } = "image";
    /// <summary>CT: projections evenly over [0°, 180°] (both ends, as the paper's code).</summary>
    public int Projections { get; init; } = 100;
    /// <summary>CT: photons per unit of sinogram for Poisson measurement noise; null = noise-free measurements.</summary>
    public double? NoiseTau { get; init; }
    /// <summary>CT: readout noise σ in photons (used with <see cref="NoiseTau"/>; paper code default 2).</summary>
    public double NoiseReadout { get; init; } = 2;
    /// <summary>SISR: downsampling factor between the high-resolution image and its low-resolution target.</summary>
    public int ScaleFactor { get; init; } = 4;
    /// <summary>PNG to fit; null fits the generated high-frequency test image.</summary>
    public string? ImagePath { get; init; }
    /// <summary>Size (height = width·2/3) of the generated test image when no path is given.</summary>
    public int GeneratedWidth { get; init; } = 192;
    /// <summary>Architecture name (see <see cref="FieldPresets.All"/>).</summary>
    public string Model { get; init; } = "relu-mlp";
    /// <summary>Architecture overrides.</summary>
    public FieldOptions Field { get; init; } = new();
    /// <summary>Optimizer and schedule.</summary>
    public OptimizerOptions Optimizer { get; init; } = new();
    /// <summary>Training steps (paper: 5000; CPU protocols: 1000).</summary>
    public int Steps { get; init; } = 1000;
    /// <summary>Integer box-downsampling factor applied first (1 = none).</summary>
    public int Downsample { get; init; } = 1;
    /// <summary>Centre crop (height, width) applied after downsampling; null = none.</summary>
    public (int Height, int Width)? Crop { get; init; }
    /// <summary>Fit the luma only.</summary>
    public bool Gray { get; init; }
    /// <summary>Inpainting: train on this seeded fraction of the pixels and report PSNR on the rest; null = fit every pixel.</summary>
    public double? InpaintFraction { get; init; }
    /// <summary>Seed of initialisation and sampling.</summary>
    public ulong Seed { get; init; }
    /// <summary>Rows per gradient chunk (0 = the whole image at once).</summary>
    public int Chunk { get; init; }
    /// <summary>Evaluate every this many steps.</summary>
    public int EvalEvery { get; init; } = 50;
    /// <summary>Record stable ranks every this many steps.</summary>
    public int RankEvery { get; init; } = 50;
    /// <summary>Save a checkpoint (model, optimizer, step) every this many steps and at the end; 0 = never.</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>SSIM definition reported.</summary>
    public SsimVariant SsimVariant { get; init; } = SsimVariant.SkimageDefault;
}
