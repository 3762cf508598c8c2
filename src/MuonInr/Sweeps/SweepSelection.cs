namespace MuonInr.Sweeps;

/// <summary>A configuration's score on the tune set.</summary>
/// <param name="Model">Architecture.</param>
/// <param name="Optimizer">Optimizer.</param>
/// <param name="ConfigKey">Configuration id (without data and seed).</param>
/// <param name="Representative">One planned run of the configuration (its spec, with the first tune file).</param>
/// <param name="Score">Mean of the selection metric over the tune files and seeds (a diverged run counts as the worst value).</param>
/// <param name="Runs">Runs behind the mean.</param>
public sealed record ConfigScore(string Model, string Optimizer, string ConfigKey, PlannedRun Representative, double Score, int Runs);

/// <summary>The paper's tuning protocol: per (model, optimizer), the configuration with the best mean metric on the tune set.</summary>
public static class SweepSelection
{
    /// <summary>Scores of every complete configuration of the tune stage.</summary>
    public static IReadOnlyList<ConfigScore> Scores(IEnumerable<RunState> tuneStates, string metric, bool maximize)
    {
        var list = new List<ConfigScore>();
        foreach (var g in tuneStates.Where(s => s.Run.Stage == "tune").GroupBy(s => s.Run.ConfigKey))
        {
            if (!g.All(s => s.Final)) continue; // incomplete (pending, interrupted, failed): not comparable yet
            var values = g.Select(s => s.Status == "diverged" ? double.NaN : ResultsStore.MetricOf(s.Summary, metric) ?? double.NaN).ToList();
            double worst = maximize ? double.NegativeInfinity : double.PositiveInfinity;
            double score = values.Any(double.IsNaN) ? worst : values.Average();
            var first = g.First().Run;
            list.Add(new ConfigScore(first.Spec.Model.Name!, first.Spec.Optimizer.Name!, g.Key, first, score, values.Count));
        }
        return list;
    }

    /// <summary>The best configuration per (model, optimizer).</summary>
    public static IReadOnlyList<ConfigScore> Winners(IEnumerable<ConfigScore> scores, bool maximize)
        => scores.GroupBy(s => (s.Model, s.Optimizer))
                 .Select(g => maximize ? g.MaxBy(s => s.Score)! : g.MinBy(s => s.Score)!)
                 .Where(s => double.IsFinite(s.Score))
                 .OrderBy(s => s.Model, StringComparer.Ordinal).ThenBy(s => s.Optimizer, StringComparer.Ordinal).ToList();
}
