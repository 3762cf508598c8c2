namespace MuonInr.Kernels;

/// <summary>The best time of one provider on one <see cref="GemmShape"/> during calibration.</summary>
/// <param name="Provider">The provider's <see cref="IGemmProvider.Name"/>.</param>
/// <param name="Shape">The shape's <see cref="GemmShape.Label"/>.</param>
/// <param name="Seconds">Best of the timed repetitions, in seconds.</param>
public sealed record GemmShapeTiming(string Provider, string Shape, double Seconds);
