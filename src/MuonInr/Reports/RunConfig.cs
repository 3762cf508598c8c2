using MuonInr.Experiments;
using MuonInr.Fields;

namespace MuonInr.Reports;

/// <summary>The config.json entries every task shares: the architecture and the optimizer.</summary>
public static class RunConfig
{
    /// <summary>Adds the model's and the optimizer's settings to a task's <paramref name="config"/> and returns it.</summary>
    public static Dictionary<string, object?> WithModelAndOptimizer(Dictionary<string, object?> config, string model, FieldOptions f, OptimizerOptions opt)
    {
        foreach (var (key, value) in new Dictionary<string, object?>
        {
            ["model"] = model,
            ["hidden"] = f.Hidden,
            ["layers"] = f.Layers,
            ["mapping"] = f.Mapping,
            ["ff_sigma"] = f.FourierSigma,
            ["pe_levels"] = f.PeLevels,
            ["omega"] = f.Omega is null ? null : string.Join(",", f.Omega),
            ["gauss_a"] = f.GaussianA is null ? null : string.Join(",", f.GaussianA),
            ["wavelet_sigma"] = f.WaveletSigma is null ? null : string.Join(",", f.WaveletSigma),
            ["finer_first_bias"] = model == "finer" ? f.FinerFirstBias ?? false : null,
            ["optimizer"] = opt.Name,
            ["lr"] = opt.LearningRate,
            ["muon_lr"] = opt.MuonLearningRate,
            ["orthogonalizer"] = opt.Orthogonalizer,
            ["ns_steps"] = opt.NsSteps,
            ["schedule"] = opt.Schedule,
            ["eta_min"] = opt.EtaMin,
        })
            config[key] = value;
        return config;
    }

    /// <summary>The rows of a run's "Result" table: model and optimizer, the task's <paramref name="metrics"/>, then steps, speed, ranks, size and any early stop.</summary>
    public static IEnumerable<(string, string)> SummaryRows(RunSummary s, IEnumerable<(string, string)> metrics)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        yield return ("model", s.Model);
        yield return ("optimizer", s.Optimizer + (s.Routing.Length > 0 ? $" (Muon on {s.Routing})" : ""));
        foreach (var m in metrics) yield return m;
        yield return ("steps", s.Steps.ToString(ci));
        yield return ("seconds per step", s.SecondsPerStep.ToString("F4", ci) + $" (GEMM: {s.Gemm})");
        yield return ("stable ranks at start", string.Join(" / ", s.InitialStableRanks.Select(v => v.ToString("F1", ci))));
        yield return ("stable ranks at end", string.Join(" / ", s.StableRanks.Select(v => v.ToString("F1", ci))));
        yield return ("parameters", s.Parameters.ToString(ci));
        yield return ("signal", s.Signal);
        if (s.Stopped is not null) yield return ("stopped early", s.Stopped);
    }
}
