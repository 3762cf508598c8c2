using System.Globalization;
using MuonInr.Tasks;

namespace MuonInr.Experiments;

/// <summary>
/// An estimate of a run's peak memory from its spec and problem, checked against the memory this process
/// may use before anything large is allocated. The estimate counts, per row of a gradient chunk, the
/// activations the tape keeps (about four values per hidden unit and layer: pre-activation, activation,
/// gradient, and a pooled temporary), plus the parameters with optimizer state (×4), plus the signal's
/// coordinates, targets and prediction. It is deliberately an upper-side estimate; the message suggests
/// the --chunk that would fit.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Bytes the estimate may use at most; default: 80 % of the memory available to the process.</summary>
    public static long Limit { get; set; } = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.8);

    /// <summary>Estimated peak bytes of <paramref name="spec"/> on <paramref name="problem"/> with <paramref name="chunkRows"/> rows per chunk.</summary>
    public static long Estimate(RunSpec spec, FitProblem problem, long chunkRows)
    {
        long rows = problem.EvaluationCoordinates.Dim(0);
        long hidden = spec.Model.Hidden!.Value, layers = spec.Model.Layers!.Value;
        long encoded = spec.Model.Mapping is { } m ? 2L * m : spec.Model.PeLevels is { } pe ? 4L * pe * problem.InFeatures : problem.InFeatures;
        long perRow = 4L * (hidden * layers * 4 + encoded * 2 + problem.OutFeatures * 4);
        long parameters = hidden * hidden * (layers - 1) + hidden * (encoded + problem.OutFeatures + layers);
        long signal = rows * (problem.InFeatures + 3L * problem.OutFeatures) * 4;
        return perRow * Math.Min(rows, chunkRows) + parameters * 4 * 4 + signal;
    }

    /// <summary>Refuses a run whose estimate exceeds <see cref="Limit"/>, naming the estimate and a --chunk that fits.</summary>
    public static void Check(RunSpec spec, FitProblem problem)
    {
        long rows = problem.EvaluationCoordinates.Dim(0);
        int chunk = spec.Chunk!.Value;
        long need = Estimate(spec, problem, chunk == 0 ? rows : chunk);
        if (need <= Limit) return;
        var ci = CultureInfo.InvariantCulture;
        long fixedPart = Estimate(spec, problem, 0);
        long perRow = Math.Max(1, Estimate(spec, problem, 1) - fixedPart);
        long fit = (Limit - fixedPart) / perRow;
        string hint = fit >= 256
            ? string.Create(ci, $"; try --chunk {Math.Min(fit, rows) / 256 * 256}")
            : $"; even one row per chunk does not fit: reduce --hidden or --layers (model.hidden {spec.Model.Hidden}, model.layers {spec.Model.Layers})";
        throw new InsufficientMemoryException(string.Create(ci,
            $"This run needs about {need / (1 << 20):N0} MB ({rows:N0} rows, {(chunk == 0 ? "no chunking" : $"chunk {chunk}")}, hidden {spec.Model.Hidden} x {spec.Model.Layers} layers) but about {Limit / (1 << 20):N0} MB are available{hint}."));
    }
}
