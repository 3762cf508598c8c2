using System.Text.Json;
using MuonInr.Fields;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Cli;

/// <summary><c>muoninr bench --suite inr</c> without PyTorch (tests never need Python).</summary>
[Collection(MuonInr.Tests.TestSupport.GemmProviderCollection.Name)]
public class BenchCliTests
{
    [Fact]
    public void Inr_suite_quick_prints_a_row_per_model_and_optimizer()
    {
        var (code, stdout, stderr) = CliRunner.Run(["bench", "--suite", "inr", "--quick", "--torch", "none", "--size", "12x8", "--hidden", "16"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("PyTorch skipped (--torch none).", stdout);
        Assert.Contains("measured FMA peak", stdout);
        Assert.Contains("GEMM provider:", stdout);
        var lines = stdout.Split('\n');
        foreach (var (name, _, _) in Architectures.All)
            foreach (var opt in new[] { "adam", "muon" })
                Assert.Single(lines, l => l.StartsWith($"{name,-10} {opt,-5} ", StringComparison.Ordinal));
    }

    [Fact]
    public void Inr_suite_json_has_the_rows_and_the_peak()
    {
        var (code, stdout, stderr) = CliRunner.Run(["bench", "--suite", "inr", "--quick", "--torch", "none", "--size", "8x6", "--hidden", "8",
            "--models", "siren,wire", "--isa", "vector128", "--json"]);
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("inr", doc.GetProperty("suite").GetString());
        Assert.Contains("128", doc.GetProperty("provider").GetString()); // the forced 128-bit managed tile
        Assert.True(doc.GetProperty("peak_gflops").GetDouble() > 0);
        var rows = doc.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["siren/adam", "siren/muon", "wire/adam", "wire/muon"],
            rows.Select(r => r.GetProperty("model").GetString() + "/" + r.GetProperty("optimizer").GetString()));
        Assert.All(rows, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("torch_seconds").ValueKind));
        Assert.All(rows, r => Assert.True(r.GetProperty("gemm_gflop").GetDouble() > 0));
    }

    [Fact]
    public void Gemm_suite_quick_json_reports_each_case_against_the_peak_of_the_forced_tile()
    {
        var (code, stdout, stderr) = CliRunner.Run(["bench", "--quick", "--isa", "vector128", "--json"]);
        Assert.True(code == 0, stderr);
        var doc = JsonDocument.Parse(stdout).RootElement;
        var peak = doc.GetProperty("peak");
        Assert.Equal(128, peak.GetProperty("vector_bits").GetInt32());   // the forced tile's width, not the CPU's widest
        Assert.Equal("managed-vector128", peak.GetProperty("of_provider").GetString());
        double gflops = peak.GetProperty("gflops").GetDouble();
        Assert.True(gflops > 0);
        var managed = doc.GetProperty("gemm").EnumerateArray().Where(g => g.GetProperty("provider").GetString() == "managed-vector128").ToList();
        Assert.Equal(3, managed.Count);   // --quick: the three INR products
        Assert.All(managed, g => Assert.Equal(g.GetProperty("gflops").GetDouble() / gflops, g.GetProperty("fraction_of_peak").GetDouble(), 9));
    }

    [Theory]
    [InlineData("--suite", "nope")]
    [InlineData("--isa", "sse9")]
    [InlineData("--size", "12by8")]
    [InlineData("--models", "relu-mlp,bogus")]
    public void Bad_bench_options_are_usage_errors(string option, string value)
    {
        var (code, _, stderr) = CliRunner.Run(["bench", "--suite", "inr", "--torch", "none", option, value]);
        Assert.Equal(2, code);
        Assert.StartsWith("error:", stderr);
    }

    [Theory]
    [InlineData("--rounds", "0", "--rounds takes a whole number from 1 to 100, got 0.")]
    [InlineData("--rounds", "101", "--rounds takes a whole number from 1 to 100, got 101.")]
    [InlineData("--rounds", "x", "Cannot parse argument 'x' for option '--rounds' as a whole number.")]
    [InlineData("--points", "-5", "--points takes a whole number from 1 to 1048576, got -5.")]
    [InlineData("--step-points", "0", "--step-points takes a whole number from 1 to 1048576, got 0.")]
    public void Bad_gemm_suite_options_are_one_line_usage_errors(string option, string value, string message)
    {
        // Rejected before anything is measured: no table, one line naming the value and what is accepted, and no
        // .NET type names ("System.Nullable`1[System.Int32]") from the parser.
        var (code, stdout, stderr) = CliRunner.Run(["bench", option, value]);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: " + message, stderr);
        Assert.DoesNotContain("System.", stderr);
    }

    [Fact]
    public void A_named_torch_that_cannot_import_torch_is_a_usage_error()
    {
        // The default reference may be missing (skipped with a note); one the user names must work.
        string missing = Path.Combine(Path.GetTempPath(), $"no-python-{Guid.NewGuid():N}");
        var (code, stdout, stderr) = CliRunner.Run(["bench", "--suite", "inr", "--quick", "--torch", missing, "--size", "8x6", "--hidden", "8"]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --torch '" + missing + "' cannot run PyTorch", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.DoesNotContain("relu-mlp", stdout);
    }
}
