using MuonInr.Nn;
using MuonInr.Optim;

namespace MuonInr.Samples.Mnist;

/// <summary>The three benchmark optimizers and their fixed settings.</summary>
internal static class Optimizers
{
    /// <summary>The default comparison.</summary>
    public static readonly string[] Defaults = ["muon", "adamw", "sgd"];

    /// <summary>Names accepted by --optimizers: the defaults and every other member of the Muon family (normuon, adamuon, …).</summary>
    public static readonly string[] Names = [.. Defaults, .. MuonRule.All.Select(r => r.Name).Where(n => n != "muon")];

    /// <summary>One line per optimizer: what the benchmark runs.</summary>
    public static string Describe(string name) => name switch
    {
        _ when name != "muon" && MuonRule.IsMuonFamily(name) => $"{name}: as muon, with the {name} rule ({MuonRule.ByName(name).Source}) at Muon's settings (untuned)",
        "muon" => "muon:  MuonWithAuxAdam — every >=2-D weight but the output layer's (conv filters as [Cout, kh*kw*Cin]) -> Muon lr 0.02, momentum 0.95 Nesterov, NS5, wd 0; biases + output layer -> aux AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01",
        "adamw" => "adamw: AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01 (PyTorch defaults)",
        "sgd" => "sgd:   SGD lr 0.05, momentum 0.9, wd 0",
        _ => throw new ArgumentException($"Unknown optimizer '{name}' (choose from {string.Join(", ", Names)})."),
    };

    /// <summary>
    /// Builds optimizer <paramref name="name"/> over <paramref name="model"/>'s parameters; for the Muon
    /// family, <paramref name="firstLayerToMuon"/> false routes the input layer's weight to the auxiliary AdamW.
    /// </summary>
    public static Optimizer Create(string name, Module model, bool firstLayerToMuon = true)
    {
        switch (name)
        {
            case var _ when MuonRule.IsMuonFamily(name):
                var split = ParamRouting.HiddenWeights(firstLayerToMuon).Split(model);
                var muon = new MuonWithAuxAdam(rule: MuonRule.ByName(name));
                muon.AddMuonGroup(split.Muon.Select(p => p.Parameter), lr: 0.02, momentum: 0.95, nesterov: true);
                muon.AddAdamGroup(split.Adam.Select(p => p.Parameter), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01);
                return muon;
            case "adamw":
                return new AdamW(model.Parameters(), lr: 1e-3);
            case "sgd":
                return new Sgd(model.Parameters(), lr: 0.05, momentum: 0.9);
            default:
                throw new ArgumentException($"Unknown optimizer '{name}' (choose from {string.Join(", ", Names)}).");
        }
    }
}
