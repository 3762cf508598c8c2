namespace MuonInr.Kernels;

/// <summary>What <see cref="GemmCalibration"/> measures and how it breaks ties.</summary>
public sealed record GemmCalibrationOptions
{
    /// <summary>
    /// Points (rows) of the Linear-layer shapes: 4096 by default. Large enough that both providers run
    /// their threaded paths as in a training step (the k-split weight gradient included), small enough that
    /// the whole measurement takes about 100–300 ms, once per machine.
    /// </summary>
    public int Rows { get; init; } = 4096;

    /// <summary>Timed repetitions per shape after one warm-up pass; the best is kept. Default 3.</summary>
    public int Repetitions { get; init; } = 3;

    /// <summary>
    /// How much faster (as a fraction of the managed time) the native BLAS must be to be chosen: 0.03 by
    /// default, i.e. native wins only when its total is below 97 % of the managed total. Within that band
    /// the two are a tie, decided for the managed kernels: no external dependency, bit-reproducible across
    /// thread counts, and the difference is below run-to-run noise on a shared machine.
    /// </summary>
    public double TieTolerance { get; init; } = 0.03;

    /// <summary>The shapes to time; null (the default) means <see cref="GemmCalibration.StepShapes"/> of <see cref="Rows"/>.</summary>
    public IReadOnlyList<GemmShape>? Shapes { get; init; }

    /// <summary>
    /// Seconds of a small real training step with a provider installed (<c>auto</c> uses
    /// <see cref="GemmCalibrationStep"/>). When set, the decision compares these step times — they include
    /// what a provider changes around its GEMMs — and the shape timings are kept for diagnosis only; null
    /// (tests with fake providers) decides on the shapes.
    /// </summary>
    public Func<IGemmProvider, double>? StepTimer { get; init; }

    /// <summary>The clock (tests inject a fake one); null means <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider? Clock { get; init; }
}
