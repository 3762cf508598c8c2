using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Reports;

namespace MuonInr.Tests.Experiments;

/// <summary>
/// Seeded regression of the paper's effect on a generated image: Muon keeps the hidden stable ranks above
/// Adam's and ends within a recorded PSNR band (bands measured on this code at the commit that added the
/// test, AVX-512 managed GEMM; ±0.5 dB absorbs provider and ISA rounding).
/// </summary>
public class MuonRegressionTests
{
    [Fact]
    public void Muon_keeps_hidden_ranks_above_adam_and_stays_in_its_psnr_band()
    {
        RunSpec Spec(string opt) => new RunSpec
        {
            Task = "image", Data = "generated", Model = new ModelSpec { Name = "relu-mlp", Hidden = 48, Layers = 5 },
            // The LRs the bands were recorded with (the paper's Adam 1e-3; Muon 0.1 with aux 1e-3), pinned so
            // that a change of the presets (tuned values) does not move the bands.
            Optimizer = opt == "adam" ? new OptimizerSpec { Name = opt, Lr = 1e-3 } : new OptimizerSpec { Name = opt, Lr = 1e-3, MuonLr = 0.1 },
            Steps = 120, EvalEvery = 120, RankEvery = 0, Seed = 1,
        }.WithOption("generated_width", 40);
        using var adam = Runs.Fit(Spec("adam"));
        using var muon = Runs.Fit(Spec("muon"));
        var a = adam.Summary; var m = muon.Summary;
        Console.WriteLine($"regression: Adam {a.Metric("psnr"):R} dB ranks {string.Join(" ", a.StableRanks)}; Muon {m.Metric("psnr"):R} dB ranks {string.Join(" ", m.StableRanks)}");
        for (int layer = 1; layer <= 3; layer++)   // the hidden matrices
            Assert.True(m.StableRanks[layer] > a.StableRanks[layer], $"hidden layer {layer}: Muon {m.StableRanks[layer]:F1} vs Adam {a.StableRanks[layer]:F1}");
        Assert.True(m.Metric("psnr") > a.Metric("psnr") + 0.5, $"Muon {m.Metric("psnr"):F2} dB vs Adam {a.Metric("psnr"):F2} dB");
        Assert.InRange(a.Metric("psnr")!.Value, AdamBand.Lo, AdamBand.Hi);
        Assert.InRange(m.Metric("psnr")!.Value, MuonBand.Lo, MuonBand.Hi);
    }

    // Recorded 2026-12-01 (AVX-512 machine, managed GEMM, 2 threads): Adam 9.360 dB, Muon 10.393 dB; hidden
    // stable ranks Adam 10.1 / 10.3 / 11.3, Muon 11.1 / 12.8 / 11.9 (120 steps: the collapse under Adam has
    // only begun; protocol A shows the full effect, 3-10x, in 1000 steps).
    private static readonly (double Lo, double Hi) AdamBand = (9.36 - 0.5, 9.36 + 0.5);
    private static readonly (double Lo, double Hi) MuonBand = (10.39 - 0.5, 10.39 + 0.5);
}
