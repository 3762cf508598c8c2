using System.Text.Json;
using System.Xml;
using MuonInr.Cli;
using MuonInr.IO;

using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Cli;

public class CliEndToEndTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-cli-" + Guid.NewGuid().ToString("N"));

    public CliEndToEndTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

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
        foreach (var key in new[] { "status", "model", "optimizer", "steps", "metrics", "seconds_per_step", "stable_ranks" })
            Assert.True(summary.TryGetProperty(key, out _), $"summary.json lacks {key}");
        Assert.True(double.IsFinite(summary.GetProperty("metrics").GetProperty("psnr").GetProperty("value").GetDouble()));
        Assert.Contains("scikit-image", summary.GetProperty("metrics").GetProperty("ssim").GetProperty("convention").GetString());
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
            Assert.True(File.Exists(Path.Combine(run, "checkpoint", f)), $"missing {f}");
        var missing = Run("fit", "image", "generated", "--steps", "6", "--out", Path.Combine(_dir, "x"), "--resume", Path.Combine(_dir, "nothing-here"));
        Assert.Equal(1, missing.Code);
        Assert.Contains("does not exist", missing.Err);
        var wrongModel = Run("fit", "image", "generated", "--steps", "6", "--hidden", "9", "--layers", "3", "--out", Path.Combine(_dir, "y"), "--resume", run);
        Assert.Equal(2, wrongModel.Code);
        Assert.Contains("model.hidden was 8, now 9", wrongModel.Err);
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
        // ×⅓, ×1, ×3 around relu-mlp's tuned presets (Muon 0.0721, Adam 1e-2).
        Assert.True(Directory.Exists(Path.Combine(gridDir, "muon-lr0.216")), string.Join(", ", Directory.GetDirectories(gridDir)));
        Assert.True(Directory.Exists(Path.Combine(gridDir, "adam-lr0.00333")), string.Join(", ", Directory.GetDirectories(gridDir)));
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
        Assert.True(double.IsFinite(summary.GetProperty("baseline").GetProperty("metrics").GetProperty("psnr").GetProperty("value").GetDouble()));
        Assert.Contains("clamped to [0, 1]", summary.GetProperty("metrics").GetProperty("psnr").GetProperty("convention").GetString());
        Assert.Equal("relu-ffn", summary.GetProperty("model").GetString());
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement;
        Assert.Equal(12, config.GetProperty("options").GetProperty("projections").GetInt32());
        Assert.Equal("cosine", config.GetProperty("optimizer").GetProperty("schedule").GetString());
        AssertWellFormed(File.ReadAllText(Path.Combine(outDir, "report.html")));
        Assert.Equal(2, Run("fit", "ct", png, "--projections", "0", "--out", Path.Combine(_dir, "ct0")).Code);
    }

    [Fact]
    public void Fit_ct_with_measurement_noise_records_it()
    {
        string png = Path.Combine(_dir, "phantom2.png");
        var px = new float[20 * 20];
        for (int i = 0; i < px.Length; i++) px[i] = (i % 20 - 10) * (i % 20 - 10) + (i / 20 - 10) * (i / 20 - 10) < 36 ? 0.9f : 0.2f;
        Png.Write(png, PngImage.FromFloat(px, 20, 20, 1));
        string outDir = Path.Combine(_dir, "ctn");
        var (code, _, _) = Run("fit", "ct", png, "--projections", "9", "--steps", "3", "--hidden", "16", "--mapping", "8", "--noise-tau", "30", "--out", outDir);
        Assert.Equal(0, code);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement;
        Assert.Equal(30, config.GetProperty("options").GetProperty("noise_tau").GetDouble());
        Assert.Equal(2, config.GetProperty("options").GetProperty("noise_readout").GetDouble());
        Assert.Equal(2, Run("fit", "ct", png, "--noise-tau", "-1", "--out", Path.Combine(_dir, "ctn2")).Code);
    }

    [Fact]
    public void Fit_sisr_trains_through_the_downsampler_and_reports_bicubic()
    {
        string png = Path.Combine(_dir, "hr.png");
        Png.Write(png, PngImage.FromFloat(MuonInr.Signals.TestPatterns.HighFrequencyComposite(32, 40), 40, 32, 3));
        string outDir = Path.Combine(_dir, "sisr");
        var (code, stdout, _) = Run("fit", "sisr", png, "--steps", "6", "--hidden", "16", "--mapping", "8", "--optimizer", "muon", "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("bicubic x4 upsampling", stdout);
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        Assert.Equal("sisr", summary.GetProperty("task").GetString());
        Assert.Equal("relu-ffn", summary.GetProperty("model").GetString());
        Assert.Equal(4, summary.GetProperty("stable_ranks").GetArrayLength());
        foreach (var key in new[] { "psnr", "ssim" })
        {
            Assert.True(double.IsFinite(summary.GetProperty("metrics").GetProperty(key).GetProperty("value").GetDouble()), key);
            Assert.True(double.IsFinite(summary.GetProperty("baseline").GetProperty("metrics").GetProperty(key).GetProperty("value").GetDouble()), key);
        }
        var recon = Png.Read(Path.Combine(outDir, "reconstruction.png"));
        Assert.Equal((40, 32), (recon.Width, recon.Height)); // evaluated on the high-resolution grid
        AssertWellFormed(File.ReadAllText(Path.Combine(outDir, "report.html")));
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement;
        Assert.Equal(4, config.GetProperty("options").GetProperty("scale").GetInt32());
        Assert.Equal(2, Run("fit", "sisr", png, "--scale", "1", "--out", Path.Combine(_dir, "sisr1")).Code);
        Assert.Equal(2, Run("fit", "sisr", png, "--scale", "64", "--out", Path.Combine(_dir, "sisr2")).Code);
    }

    [Fact]
    public void Fit_audio_writes_a_complete_run_directory_with_a_wav()
    {
        string wav = Path.Combine(_dir, "clip.wav");
        var samples = MuonInr.Signals.TestPatterns.AudioComposite(8000, 0.5);
        var stereo = new float[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++) { stereo[2 * i] = samples[i]; stereo[2 * i + 1] = -0.5f * samples[i]; }
        Wav.Write(wav, new WavAudio(stereo, 2, 8000, WavSampleFormat.Pcm16), WavSampleFormat.Pcm16);
        string outDir = Path.Combine(_dir, "audio");
        var (code, stdout, _) = Run("fit", "audio", wav, "--start", "0.1", "--seconds", "0.25", "--steps", "6", "--hidden", "16", "--eval-every", "3", "--rank-every", "3", "--out", outDir);
        Assert.Equal(0, code);
        Assert.Contains("SI-SNR", stdout);
        foreach (var f in new[] { "config.json", "metrics.csv", "ranks.csv", "summary.json", "reconstruction.wav", "spectrogram.png", "report.html" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), $"missing {f}");
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement;
        Assert.Equal("audio", summary.GetProperty("task").GetString());
        Assert.Equal("siren", summary.GetProperty("model").GetString());
        Assert.True(double.IsFinite(summary.GetProperty("metrics").GetProperty("snr").GetProperty("value").GetDouble()));
        Assert.True(double.IsFinite(summary.GetProperty("metrics").GetProperty("si_snr").GetProperty("value").GetDouble()));
        Assert.False(summary.GetProperty("metrics").TryGetProperty("psnr", out _));
        Assert.Equal(5, summary.GetProperty("stable_ranks").GetArrayLength());
        Assert.Equal("step,loss,snr,learning_rate,elapsed_seconds", File.ReadAllLines(Path.Combine(outDir, "metrics.csv"))[0]);
        var recon = Wav.Read(Path.Combine(outDir, "reconstruction.wav"));
        Assert.Equal((2, 8000, 2000), (recon.Channels, recon.SampleRate, recon.Frames));
        AssertWellFormed(File.ReadAllText(Path.Combine(outDir, "report.html")));
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement;
        Assert.Equal(100, config.GetProperty("options").GetProperty("time_scale").GetDouble());

        var cmp = Run("compare", "audio", "generated", "--seconds", "0.05", "--steps", "2", "--hidden", "8", "--model", "relu-ffn", "--mapping", "8", "--layers", "3", "--out", Path.Combine(_dir, "acmp"));
        Assert.Equal(0, cmp.Code);
        Assert.Contains("SI-SNR", cmp.Out);
        AssertWellFormed(File.ReadAllText(Path.Combine(_dir, "acmp", "report.html")));

        string corrupt = Path.Combine(_dir, "corrupt.wav");
        File.WriteAllBytes(corrupt, "RIFF\u0010\0\0\0WAVEfmt "u8.ToArray());
        var bad = Run("fit", "audio", corrupt, "--steps", "1", "--out", Path.Combine(_dir, "a2"));
        Assert.Equal(1, bad.Code);
        Assert.StartsWith("error:", bad.Err);
        Assert.Equal(1, Run("fit", "audio", Path.Combine(_dir, "missing.wav"), "--out", Path.Combine(_dir, "a3")).Code);
        Assert.Equal(2, Run("fit", "audio", wav, "--start", "5", "--steps", "1", "--out", Path.Combine(_dir, "a4")).Code);
        Assert.Equal(2, Run("fit", "audio", wav, "--seconds", "0", "--out", Path.Combine(_dir, "a5")).Code);
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
        Assert.Equal(2, Run("fit", "image", "generated", "--model", "wire2", "--steps", "1", "--out", Path.Combine(_dir, "r3")).Code);
        Assert.Equal(0, Run("fit", "image", "generated", "--model", "wire", "--steps", "1", "--hidden", "8", "--layers", "3", "--out", Path.Combine(_dir, "r4")).Code);
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
        Assert.True(double.IsFinite(summary.GetProperty("metrics").GetProperty("psnr").GetProperty("value").GetDouble()));
        Assert.Equal("diverged", summary.GetProperty("status").GetString());
    }
}
