using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Reports;

namespace MuonInr.Tests.Experiments;

public class ResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-resume-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    private static RunSpec Spec(string optimizer) => new RunSpec
    {
        Task = "image", Data = "generated", Model = new ModelSpec { Name = "relu-mlp", Hidden = 16, Layers = 4 },
        Optimizer = new OptimizerSpec { Name = optimizer }, Steps = 20, EvalEvery = 5, RankEvery = 10, Seed = 4,
    }.WithOption("generated_width", 30);

    [Theory]
    [InlineData("muon", 7)]
    [InlineData("adam", 13)]
    public void A_run_stopped_at_any_step_and_resumed_equals_an_uninterrupted_one(string optimizer, int stopAt)
    {
        var spec = Spec(optimizer);
        using var full = Runs.Fit(spec);
        string first = Path.Combine(_dir, "first");
        int steps = 0;
        // The stop request (what SIGINT sets) is honoured at the next step boundary, with a checkpoint, even
        // though checkpoint_every is 0.
        using (var stopped = Runs.Fit(spec, new RunOptions { OutDir = first, Progress = p => steps = p.Step, ShouldStop = () => steps >= stopAt }))
        {
            Assert.Equal("interrupted", stopped.Summary.Status);
            Assert.Equal(stopAt, stopped.Summary.Steps);
        }
        Assert.True(File.Exists(Path.Combine(first, "config.json")));
        Assert.True(File.Exists(Path.Combine(first, "summary.json")));
        using var resumed = Runs.Fit(spec, new RunOptions { OutDir = Path.Combine(_dir, "second"), ResumeFrom = first });
        Assert.Equal(full.Prediction, resumed.Prediction);
        Assert.Equal(full.Summary.Metric("psnr"), resumed.Summary.Metric("psnr"));
        Assert.Equal(full.Summary.StableRanks, resumed.Summary.StableRanks);
    }

    [Fact]
    public void Resume_refuses_changed_settings_naming_them_and_accepts_more_steps()
    {
        var spec = Spec("muon") with { CheckpointEvery = 10 };
        string run = Path.Combine(_dir, "ck");
        Runs.Fit(spec, new RunOptions { OutDir = run }).Dispose();
        var e = Assert.Throws<ArgumentException>(() => Runs.Fit(spec with { Optimizer = spec.Optimizer with { MuonLr = 0.05 } }, new RunOptions { ResumeFrom = run }));
        Assert.Contains("optimizer.muon_lr was 0.0721, now 0.05", e.Message);
        e = Assert.Throws<ArgumentException>(() => Runs.Fit(spec.WithOption("generated_width", 32), new RunOptions { ResumeFrom = run }));
        Assert.Contains("options.generated_width was 30, now 32", e.Message);
        e = Assert.Throws<ArgumentException>(() => Runs.Fit(spec with { Seed = 5 }, new RunOptions { ResumeFrom = run }));
        Assert.Contains("seed was 4, now 5", e.Message);
        using var longer = Runs.Fit(spec with { Steps = 25 }, new RunOptions { ResumeFrom = run });
        Assert.Equal(25, longer.Summary.Steps);
    }

    [Fact]
    public void Corrupt_or_hostile_checkpoints_are_refused_with_one_line()
    {
        var spec = Spec("adam") with { CheckpointEvery = 10 };
        string run = Path.Combine(_dir, "ck2");
        Runs.Fit(spec, new RunOptions { OutDir = run }).Dispose();
        string opt = Path.Combine(run, "checkpoint", "optimizer.safetensors");
        var bytes = File.ReadAllBytes(opt);
        bytes[^5] ^= 0x40; // a flipped bit in the data
        File.WriteAllBytes(opt, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Runs.Fit(spec, new RunOptions { ResumeFrom = run }));
        Assert.Contains("corrupt", e.Message);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(opt, bytes);
        string manifest = Path.Combine(run, "checkpoint", "checkpoint.json");
        string good = File.ReadAllText(manifest);
        File.WriteAllText(manifest, good.Replace("\"step\": 20", "\"step\": -5"));
        Assert.Contains("step -5", Assert.Throws<InvalidDataException>(() => Runs.Fit(spec, new RunOptions { ResumeFrom = run })).Message);
        File.WriteAllText(manifest, "{\"step\":");
        Assert.Contains("malformed", Assert.Throws<InvalidDataException>(() => Runs.Fit(spec, new RunOptions { ResumeFrom = run })).Message);
    }

    [Fact]
    public void After_divergence_the_checkpoint_holds_the_last_finite_parameters_and_is_not_resumable()
    {
        var spec = new RunSpec
        {
            Task = "image", Data = "generated", Model = new ModelSpec { Name = "relu-mlp", Hidden = 16, Layers = 3 },
            Optimizer = new OptimizerSpec { Name = "adam", Lr = 1e30 }, Steps = 50, CheckpointEvery = 1,
        }.WithOption("generated_width", 30);
        string run = Path.Combine(_dir, "nan");
        using (var r = Runs.Fit(spec, new RunOptions { OutDir = run }))
        {
            Assert.Equal("diverged", r.Summary.Status);
            Assert.All(r.Prediction, v => Assert.True(float.IsFinite(v)));
        }
        var model = Architectures.Create(RunSpecJson.ReadFile(Path.Combine(run, "config.json")).Model, 2, 3, new MuonInr.Tensors.Rng(0));
        model.Load(Path.Combine(run, "checkpoint", "model.safetensors"));
        Assert.All(model.Parameters(), p => Assert.All(p.ToArray(), v => Assert.True(float.IsFinite(v))));
        Assert.Contains("diverged", Assert.Throws<ArgumentException>(() => Runs.Fit(spec, new RunOptions { ResumeFrom = run })).Message);
    }
}
