using MuonInr.Benchmarking;
using MuonInr.Experiments;
using MuonInr.Fields;

namespace MuonInr.Tests.Benchmarking;

// One collection with the bench CLI tests: both swap Gemm.Provider for a recording one during a step.
/// <summary>The INR suite at tiny sizes (no timing assertions) and the PyTorch script's configuration.</summary>
[Collection(MuonInr.Tests.TestSupport.GemmProviderCollection.Name)]
public class InrSuiteBenchmarkTests
{
    private static readonly InrSuiteOptions Tiny = new() { Width = 8, Height = 6, Hidden = 16, Steps = 2, Warmup = 1 };

    [Fact]
    public void Every_architecture_and_optimizer_gives_one_finite_row()
    {
        var cases = InrSuiteBenchmark.Cases(Tiny);
        Assert.Equal(Architectures.All.Count * 2, cases.Count);
        var rows = cases.Select(c => InrSuiteBenchmark.Measure(c, Tiny)).ToList();
        foreach (var (name, _, _) in Architectures.All)
            foreach (var opt in new[] { "adam", "muon" })
            {
                var r = Assert.Single(rows, r => r.Model == name && r.Optimizer == opt);
                Assert.True(r.Seconds > 0 && double.IsFinite(r.Seconds), $"{name}/{opt}: {r.Seconds} s");
                Assert.Equal(2, r.StepSeconds.Count);
                Assert.Equal(48, r.Points);
                Assert.True(r.GemmGflop > 0 && r.GemmCalls > 0, $"{name}/{opt}: no GEMM recorded");
                Assert.True(double.IsFinite(r.Gflops));
                Assert.True(double.IsFinite(r.Loss), $"{name}/{opt}: loss {r.Loss}");
            }
    }

    [Fact]
    public void Cases_are_the_image_task_runs_at_the_requested_width()
    {
        var c = InrSuiteBenchmark.Case("relu-ffn", "muon", hidden: 128);
        var preset = Presets.BuiltIn.Defaults("image", "relu-ffn", "muon", null);
        Assert.Equal("image", c.Spec.Task);
        Assert.Equal(128, c.Spec.Model.Hidden);
        Assert.Equal((int)preset["model"]!["layers"]!, c.Spec.Model.Layers);
        Assert.Equal(4, c.Spec.Model.Layers); // PAPER.md protocol B: FFN and PE variants have 4 layers
        Assert.Equal((double)preset["optimizer"]!["muon_lr"]!, c.Spec.Optimizer.MuonLr);
        Assert.Equal(5, InrSuiteBenchmark.Case("siren", "adam").Spec.Model.Layers);
    }

    [Fact]
    public void The_torch_configuration_carries_the_presets()
    {
        var options = new InrSuiteOptions();
        var cases = InrSuiteBenchmark.Cases(options with { Models = ["siren"] });
        var config = TorchInrReference.Config(cases, options, threads: 2);
        var preset = Presets.BuiltIn.Defaults("image", "siren", "muon", null);
        string json = config.ToJsonString();
        Assert.Equal(preset["model"]!["omega"]!.ToJsonString(), config["model"]!["omega"]!.ToJsonString());
        Assert.Contains("\"omega\":" + preset["model"]!["omega"]!.ToJsonString(), json);
        Assert.Equal(128, (int)config["model"]!["hidden"]!);
        Assert.Equal("siren", (string?)config["model"]!["name"]);
        Assert.Equal((double)preset["optimizer"]!["muon_lr"]!, (double)config["optimizers"]!["muon"]!["muon_lr"]!);
        Assert.Equal((double)Presets.BuiltIn.Defaults("image", "siren", "adam", null)["optimizer"]!["lr"]!, (double)config["optimizers"]!["adam"]!["lr"]!);
        Assert.Null(config["optimizers"]!["adam"]!["muon_lr"]);
        Assert.Equal((384, 256, 2), ((int)config["width"]!, (int)config["height"]!, (int)config["threads"]!));
        // Hyperparameters an architecture does not use are not sent (the script would not know them).
        Assert.Null(config["model"]!["pe_levels"]);
        var wire = TorchInrReference.Config(InrSuiteBenchmark.Cases(options with { Models = ["wire"] }), options, 2);
        var wirePreset = Presets.BuiltIn.Defaults("image", "wire", "adam", null)["model"]!;
        Assert.Equal(wirePreset["wavelet_sigma"]!.ToJsonString(), wire["model"]!["wavelet_sigma"]!.ToJsonString());
        Assert.Equal(wirePreset["omega"]!.ToJsonString(), wire["model"]!["omega"]!.ToJsonString());
    }

    [Fact]
    public void The_embedded_script_is_the_reference_script()
    {
        Assert.Contains("def ns5", TorchInrReference.Script);
        Assert.Contains("3.4445, -4.7750, 2.0315", TorchInrReference.Script);
        var (python, _, reason) = TorchInrReference.Resolve("none");
        Assert.Null(python);
        Assert.Contains("--torch none", reason);
        var (missing, _, why) = TorchInrReference.Resolve("/nonexistent/python3");
        Assert.Null(missing);
        Assert.Contains("/nonexistent/python3", why);
    }

    [Fact]
    public void Bad_options_are_refused_by_name()
    {
        Assert.Contains("bogus", Assert.Throws<ArgumentException>(() => InrSuiteBenchmark.Cases(Tiny with { Models = ["bogus"] })).Message);
        Assert.Contains("lion", Assert.Throws<ArgumentException>(() => InrSuiteBenchmark.Cases(Tiny with { Optimizers = ["lion"] })).Message);
        Assert.Throws<ArgumentException>(() => InrSuiteBenchmark.Cases(Tiny with { Steps = 0 }));
    }

    [Fact]
    public void The_fma_peak_is_measured()
    {
        var peak = FmaPeak.Measure(seconds: 0.005, repetitions: 1);
        Assert.True(peak.Gflops > 0 && double.IsFinite(peak.Gflops));
        Assert.Contains(peak.VectorBits, new[] { 32, 128, 256, 512 });
        Assert.Equal(MuonInr.Kernels.WorkerPool.Degree, peak.Threads);
    }
}
