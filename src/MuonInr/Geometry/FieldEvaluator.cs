namespace MuonInr.Geometry;

/// <summary>
/// Evaluates a scalar field (e.g. a network's SDF) at a batch of points: <paramref name="points"/> is xyz
/// interleaved ([count, 3]) and <paramref name="values"/> ([count]) receives one value per point. Callers
/// hand batches of bounded size (one grid slice at a time in <see cref="MarchingCubes"/>), so the
/// evaluator may run a network on each batch directly.
/// </summary>
public delegate void FieldEvaluator(ReadOnlySpan<float> points, Span<float> values);
