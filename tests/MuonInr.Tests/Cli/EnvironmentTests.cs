using System.Diagnostics;

namespace MuonInr.Tests.Cli;

/// <summary>Environment settings are checked at start-up in a real process: one line, exit code 2.</summary>
public class EnvironmentTests
{
    private static (int Code, string Err) RunWith(string variable, string value, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MuonInr.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[variable] = value;
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err);
    }

    [Fact]
    public void A_bad_muoninr_blas_is_a_usage_error_naming_the_variable()
    {
        var (code, err) = RunWith("MUONINR_BLAS", "bogus", "presets", "--task", "image", "--model", "siren");
        Assert.Equal(2, code);
        Assert.StartsWith("error: MUONINR_BLAS:", err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("Exception", err);
    }

    [Fact]
    public void A_bad_thread_count_is_a_warning_and_the_command_still_runs()
    {
        var (code, err) = RunWith("MUONINR_THREADS", "lots", "presets", "--task", "image", "--model", "siren");
        Assert.Equal(0, code);
        Assert.Contains("MUONINR_THREADS", err);
    }
}
