using System.Text.Json;
using System.Xml;
using MuonInr.Cli;
using MuonInr.IO;

namespace MuonInr.Tests.Cli;

public class CliEndToEndTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-cli-" + Guid.NewGuid().ToString("N"));

    public CliEndToEndTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = CliApp.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static void AssertWellFormed(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html);
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        while (reader.Read()) { }
        Assert.Contains("<svg", html);
        Assert.Contains("data:image/png;base64,", html);
    }

    [Fact]
    public void Fit_image_writes_a_complete_run_directory()
    {
        string png = Path.Combine(_dir, "target.png");
        var px = MuonInr.Signals.TestPatterns.HighFrequencyComposite(24, 36);
        Png.Write(png, PngImage.FromFloat(px, 36, 24, 3));
        string outDir = Path.Combine(_dir, "run");
        var (code, stdout, _) = Run("fit", "image", png, "--optimizer", "muon", "--steps", "12", "--hidden", "32", "--layers", "4", "--eval-every", "4", "--rank-every", "4", "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("PSNR", stdout);
        foreach (var f in new[] { "config.json", "metrics.csv", "ranks.csv", "summary.json", "reconstruction.png", "comparison.png", "report.html" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"missing {f}");
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        foreach (var key in new[] { "model", "optimizer", "steps", "psnr", "ssim", "ssim_variant", "seconds_per_step", "stable_ranks" })
            Assert.True(summary.TryGetProperty(key, out _), $"summary.json lacks {key}");
        Assert.Equal(4, summary.GetProperty("stable_ranks").GetArrayLength());
        Assert.Equal(12, summary.GetProperty("steps").GetInt32());
        var metrics = File.ReadAllLines(Path.Combine(outDir, "metrics.csv"));
        Assert.Equal("step,loss,psnr,learning_rate,elapsed_seconds", metrics[0]);
        Assert.Equal(1 + 4, metrics.Length); // steps 0, 4, 8, 12
        Assert.Equal(1 + 4 * 4, File.ReadAllLines(Path.Combine(outDir, "ranks.csv")).Length);
        var recon = Png.Read(Path.Combine(outDir, "reconstruction.png"));
        Assert.Equal((36, 24, 3), (recon.Width, recon.Height, recon.Channels));
        AssertWellFormed(File.ReadAllText(Path.Combine(outDir, "report.html")));

        // The same output directory is never overwritten silently.
        var again = Run("fit", "image", png, "--steps", "1", "--hidden", "8", "--layers", "2", "--out", outDir);
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err);
    }

    [Fact]
    public void Checkpoints_are_written_and_a_missing_checkpoint_is_a_clear_error()
    {
        string run = Path.Combine(_dir, "ck");
        Assert.Equal(0, Run("fit", "image", "generated", "--steps", "6", "--hidden", "8", "--layers", "3", "--checkpoint-every", "3", "--out", run).Code);
        foreach (var f in new[] { "model.safetensors", "optimizer.safetensors", "checkpoint.json" })
            Assert.True(File.Exists(Path.Combine(run, f)), $"missing {f}");
        var missing = Run("fit", "image", "generated", "--steps", "6", "--out", Path.Combine(_dir, "x"), "--resume", Path.Combine(_dir, "nothing-here"));
        Assert.Equal(1, missing.Code);
        Assert.Contains("does not exist", missing.Err);
        var wrongModel = Run("fit", "image", "generated", "--steps", "6", "--hidden", "9", "--layers", "3", "--out", Path.Combine(_dir, "y"), "--resume", run);
        Assert.Equal(2, wrongModel.Code);
        Assert.Contains("does not fit this model", wrongModel.Err);
    }

    [Fact]
    public void Compare_writes_one_report_with_every_optimizer()
    {
        string outDir = Path.Combine(_dir, "cmp");
        var (code, stdout, _) = Run("compare", "image", "generated", "--optimizers", "adam,muon", "--steps", "6", "--hidden", "16", "--layers", "3", "--eval-every", "3", "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("adam", stdout); Assert.Contains("muon", stdout);
        AssertWellFormed(File.ReadAllText(Path.Combine(outDir, "report.html")));
        Assert.True(File.Exists(Path.Combine(outDir, "adam", "summary.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "muon", "report.html")));

        string gridDir = Path.Combine(_dir, "grid");
        var g = Run("compare", "image", "generated", "--optimizers", "adam,muon", "--lr-grid", "--steps", "2", "--hidden", "8", "--layers", "3", "--out", gridDir);
        Assert.Equal(0, g.Code);
        Assert.True(Directory.Exists(Path.Combine(gridDir, "muon-lr0.3")), string.Join(", ", Directory.GetDirectories(gridDir)));
        Assert.True(Directory.Exists(Path.Combine(gridDir, "adam-lr0.000333")), string.Join(", ", Directory.GetDirectories(gridDir)));
        Assert.Equal(6, Directory.GetDirectories(gridDir).Length);
    }

    [Fact]
    public void Fit_ct_reconstructs_through_the_radon_transform_and_reports_fbp()
    {
        string png = Path.Combine(_dir, "phantom.png");
        var px = new float[24 * 28];
        for (int y = 0; y < 24; y++) for (int x = 0; x < 28; x++) px[y * 28 + x] = (x - 14) * (x - 14) + (y - 12) * (y - 12) < 64 ? 0.8f : 0.1f;
        Png.Write(png, PngImage.FromFloat(px, 28, 24, 1));
        string outDir = Path.Combine(_dir, "ct");
        var (code, stdout, _) = Run("fit", "ct", png, "--projections", "12", "--steps", "8", "--hidden", "16", "--mapping", "8", "--optimizer", "muon", "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("filtered back-projection", stdout);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        Assert.Equal("ct", summary.GetProperty("task").GetString());
        Assert.True(double.IsFinite(summary.GetProperty("baseline_psnr").GetDouble()));
        Assert.Equal("relu-ffn", summary.GetProperty("model").GetString());
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement;
        Assert.Equal(12, config.GetProperty("projections").GetInt32());
        AssertWellFormed(File.ReadAllText(Path.Combine(outDir, "report.html")));
        Assert.Equal(2, Run("fit", "ct", png, "--projections", "0", "--out", Path.Combine(_dir, "ct0")).Code);
    }

    [Fact]
    public void Bad_input_gets_a_clear_message_and_exit_code()
    {
        var missing = Run("fit", "image", Path.Combine(_dir, "nope.png"), "--steps", "1");
        Assert.Equal(1, missing.Code);
        Assert.Contains("does not exist", missing.Err);

        string corrupt = Path.Combine(_dir, "corrupt.png");
        File.WriteAllBytes(corrupt, [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72]);
        var bad = Run("fit", "image", corrupt, "--steps", "1", "--out", Path.Combine(_dir, "r1"));
        Assert.Equal(1, bad.Code);
        Assert.Contains("not a valid PNG", bad.Err);

        var usage = Run("fit", "image", "generated", "--optimizer", "rmsprop", "--out", Path.Combine(_dir, "r2"));
        Assert.Equal(2, usage.Code);
        Assert.Contains("Unknown optimizer", usage.Err);
        Assert.Equal(2, Run("fit", "image", "generated", "--steps", "abc").Code);
        Assert.Equal(2, Run("fit", "image", "generated", "--model", "wire", "--steps", "1", "--out", Path.Combine(_dir, "r3")).Code);
    }

    [Fact]
    public void Non_finite_loss_stops_with_a_message_and_keeps_the_run()
    {
        string outDir = Path.Combine(_dir, "nan");
        var (code, stdout, _) = Run("fit", "image", "generated", "--optimizer", "adam", "--lr", "1e30", "--steps", "50", "--hidden", "16", "--layers", "3", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("Training stopped at step", stdout);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        Assert.True(summary.GetProperty("steps").GetInt32() < 50);
        Assert.True(double.IsFinite(summary.GetProperty("psnr").GetDouble()));
    }
}
