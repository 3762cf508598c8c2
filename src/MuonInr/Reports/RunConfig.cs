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
}
