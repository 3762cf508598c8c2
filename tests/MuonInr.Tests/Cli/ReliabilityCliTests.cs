using System.Text.Json;
using MuonInr.Cli;
using MuonInr.IO;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Cli;

/// <summary>Results are never lost or mixed up; bad input gets one line and leaves nothing behind.</summary>
public class ReliabilityCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-rel-" + Guid.NewGuid().ToString("N"));

    public ReliabilityCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task Two_concurrent_runs_with_the_same_out_one_succeeds_and_the_other_fails_clearly()
    {
        string outDir = P("race");
        string[] args = ["fit", "image", "generated", "--steps", "40", "--hidden", "32", "--layers", "3", "--generated-width", "48", "--out", outDir];
        var gate = new ManualResetEventSlim();
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => { gate.Wait(); return Run(args); })).ToArray();
        gate.Set();
        var results = (await Task.WhenAll(runs)).OrderBy(r => r.Code).ToArray();
        Assert.Equal(0, results[0].Code);
        Assert.Equal(1, results[1].Code);
        Assert.True(results[1].Err.Contains("in use by another MuonInr run") || results[1].Err.Contains("already exists and is not empty"), results[1].Err);
        // Nothing of the winner is lost: a complete run, its summary matching its config.
        foreach (var f in new[] { "config.json", "metrics.csv", "summary.json", "report.html" }) Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Equal(40, JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement.GetProperty("steps").GetInt32());
        Assert.False(File.Exists(Path.Combine(outDir, ".muoninr.lock")));
    }

    [Fact]
    public void Failed_runs_leave_no_directory_behind()
    {
        string corrupt = P("corrupt.png");
        File.WriteAllBytes(corrupt, [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72]);
        Assert.Equal(1, Run("fit", "image", corrupt, "--out", P("r1")).Code);
        Assert.Equal(2, Run("fit", "image", "generated", "--model", "nope", "--out", P("r2")).Code);
        Assert.Equal(1, Run("fit", "image", "generated", "--out", P("r3"), "--resume", P("nothing")).Code);
        Assert.Equal(2, Run("fit", "audio", "generated", "--start", "5", "--out", P("r4")).Code);
        Assert.Equal(1, Run("fit", "image", P("missing.png"), "--out", P("r5")).Code);
        foreach (var d in new[] { "r1", "r2", "r3", "r4", "r5" }) Assert.False(Directory.Exists(P(d)), d);
    }

    [Fact]
    public void Overwrite_clears_the_old_run_so_no_stale_checkpoint_survives()
    {
        Assert.Equal(0, Run("fit", "image", "generated", "--steps", "4", "--hidden", "8", "--layers", "3", "--generated-width", "24", "--checkpoint-every", "2", "--out", P("ow")).Code);
        Assert.True(Directory.Exists(P("ow/checkpoint")));
        Assert.Equal(0, Run("fit", "image", "generated", "--steps", "2", "--hidden", "8", "--layers", "3", "--generated-width", "24", "--out", P("ow"), "--overwrite").Code);
        Assert.False(Directory.Exists(P("ow/checkpoint")));
        var e = Run("fit", "image", "generated", "--steps", "6", "--hidden", "8", "--layers", "3", "--generated-width", "24", "--out", P("ow2"), "--resume", P("ow"));
        Assert.Equal(1, e.Code);
        Assert.Contains("No checkpoint", e.Err);
    }

    [Theory]
    [InlineData(new[] { "--omega", "30" }, "--omega: model.omega does not apply to relu-mlp")]
    [InlineData(new[] { "--optimizer", "adam", "--muon-lr", "0.1" }, "optimizer.muon_lr applies only to muon")]
    [InlineData(new[] { "--lr", "inf" }, "--lr: optimizer.lr must be a finite number > 0, got Infinity")]
    [InlineData(new[] { "--lr", "Infinity" }, "--lr: optimizer.lr must be a finite number > 0, got Infinity")]
    [InlineData(new[] { "--lr", "fast" }, "--lr takes a number")]
    [InlineData(new[] { "--eval-every", "1.5" }, "--eval-every takes a whole number")]
    [InlineData(new[] { "--inpaint", "1" }, "--inpaint")]
    [InlineData(new[] { "--inpaint", "0.0001" }, "leaves no row to train on")]
    [InlineData(new[] { "--crop", "10x" }, "--crop: options.crop must be HxW")]
    [InlineData(new[] { "--out", "" }, "non-empty path")]
    [InlineData(new[] { "--blas", "bogus" }, "--blas")]
    public void Bad_values_get_one_line_naming_the_value_and_what_is_accepted(string[] extra, string expected)
    {
        string[] args = ["fit", "image", "generated", "--steps", "1", "--hidden", "8", "--layers", "3", "--generated-width", "24", .. extra];
        if (!extra.Contains("--out")) args = [.. args, "--out", P("bad")];
        var (code, _, err) = Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("System.", err);
        Assert.DoesNotContain("unexpected", err);
        Assert.False(Directory.Exists(P("bad")));
    }

    [Fact]
    public void Demo_refuses_an_absurd_width_with_one_line()
    {
        var (code, _, err) = Run("demo", "--width", "100000", "--steps", "1", "--out", P("demo"));
        Assert.Equal(2, code);
        Assert.Contains("--width must be in [16, 8192], got 100000", err);
        Assert.False(Directory.Exists(P("demo")));
    }

    [Fact]
    public void Compare_refuses_the_same_optimizer_twice_instead_of_mixing_two_runs_in_one_folder()
    {
        var (code, _, err) = Run("compare", "image", "generated", "--optimizers", "adam,adam", "--steps", "1", "--out", P("dup"));
        Assert.Equal(2, code);
        Assert.Contains("listed twice", err);
        Assert.False(Directory.Exists(P("dup")));
    }

    [Fact]
    public void A_jpeg_photo_fits_like_a_png_and_a_dicom_slice_runs_through_fit_ct()
    {
        var jpg = Run("fit", "image", Fixtures.Path_("images", "rgb_q95.jpg"), "--steps", "3", "--hidden", "16", "--layers", "3", "--out", P("jpg"));
        Assert.True(jpg.Code == 0, jpg.Err);
        Assert.True(File.Exists(P("jpg/reconstruction.png")));
        var dcm = Run("fit", "ct", Fixtures.Path_("dicom", "explicit_s16_rescale.dcm"), "--steps", "3", "--hidden", "16", "--mapping", "8", "--projections", "8", "--out", P("dcm"));
        Assert.True(dcm.Code == 0, dcm.Err);
        Assert.Contains("filtered back-projection", dcm.Out);
        var unknown = P("file.webp");
        File.WriteAllBytes(unknown, "RIFF\0\0\0\0WEBPVP8 "u8.ToArray());
        var e = Run("fit", "image", unknown, "--out", P("webp"));
        Assert.Equal(1, e.Code);
        Assert.Contains("PNG, JPEG, BMP, TGA, GIF, DICOM", e.Err);
        var dir = Run("fit", "image", _dir, "--out", P("d"));
        Assert.Equal(1, dir.Code);
        Assert.Contains("is a directory", dir.Err);
    }

    [Fact]
    public void A_float_wav_with_nan_samples_is_refused_as_data_not_blamed_on_the_learning_rate()
    {
        string wav = P("nan.wav");
        var s = new float[800]; s[123] = float.NaN;
        Wav.Write(wav, new WavAudio(s, 1, 8000, WavSampleFormat.Float32), WavSampleFormat.Float32);
        var (code, _, err) = Run("fit", "audio", wav, "--steps", "1", "--out", P("w"));
        Assert.Equal(1, code);
        Assert.Contains("non-finite sample", err);
        Assert.Contains("frame 123", err);
    }

    [Fact]
    public void The_eta_shows_days_and_hours()
    {
        Assert.Equal("2d 03h46m", ProgressBar.FormatEta(2 * 86400 + 3 * 3600 + 46 * 60));
        Assert.Equal("1:01:01", ProgressBar.FormatEta(3661));
        Assert.Equal(">100 days", ProgressBar.FormatEta(1e12));
    }

    [Fact]
    public void Summary_json_writes_null_and_a_reason_for_a_non_finite_metric()
    {
        var m = MuonInr.Experiments.MetricValue.From(double.NaN, "dB", "test");
        string json = JsonSerializer.Serialize(m, MuonInr.Experiments.RunSpecJson.Options);
        Assert.Contains("\"value\": null", json);
        Assert.Contains("\"note\":", json);
        Assert.DoesNotContain("NaN", json);
    }

    [Fact]
    public void A_run_that_would_not_fit_in_memory_is_refused_before_allocating_with_a_chunk_hint()
    {
        var (code, _, err) = Run("fit", "image", "generated", "--hidden", "30000", "--layers", "3", "--out", P("big"));
        Assert.Equal(1, code);
        Assert.Contains("MB", err);
        Assert.False(Directory.Exists(P("big")));
    }
}
