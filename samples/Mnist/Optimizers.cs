using MuonInr.Nn;
using MuonInr.Optim;

namespace MuonInr.Samples.Mnist;

/// <summary>The three benchmark optimizers and their fixed settings.</summary>
internal static class Optimizers
{
    /// <summary>Names accepted by --optimizers.</summary>
    public static readonly string[] Names = ["muon", "adamw", "sgd"];

    /// <summary>One line per optimizer: what the benchmark runs.</summary>
    public static string Describe(string name) => name switch
    {
        "muon" => "muon:  MuonWithAuxAdam — every >=2-D weight but the output layer's (conv filters as [Cout, kh*kw*Cin]) -> Muon lr 0.02, momentum 0.95 Nesterov, NS5, wd 0; biases + output layer -> aux AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01",
        "adamw" => "adamw: AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01 (PyTorch defaults)",
        "sgd" => "sgd:   SGD lr 0.05, momentum 0.9, wd 0",
        _ => throw new ArgumentException($"Unknown optimizer '{name}' (choose from {string.Join(", ", Names)})."),
    };

    /// <summary>Builds optimizer <paramref name="name"/> over <paramref name="model"/>'s parameters.</summary>
    public static Optimizer Create(string name, Module model)
    {
        switch (name)
        {
            case "muon":
                var split = ParamRouting.HiddenWeights().Split(model);
                var muon = new MuonWithAuxAdam();
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
