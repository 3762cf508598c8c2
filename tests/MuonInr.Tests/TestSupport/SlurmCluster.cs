using System.Diagnostics;

namespace MuonInr.Tests.TestSupport;

/// <summary>
/// Whether a Slurm cluster answers here (tools/slurm-local.sh up starts a single-node one): the Slurm
/// commands on PATH, SLURM_CONF set, and sinfo showing a usable node. <see cref="Reason"/> says why not.
/// </summary>
public static class SlurmCluster
{
    private static readonly Lazy<string?> Why = new(Probe);

    /// <summary>Null when Slurm is usable, else why not.</summary>
    public static string? Reason => Why.Value;

    private static string? Probe()
    {
        foreach (var tool in new[] { "sbatch", "squeue", "sinfo", "scancel" })
            if (!OnPath(tool)) return $"'{tool}' is not on PATH (start a local Slurm with tools/slurm-local.sh up)";
        string? conf = Environment.GetEnvironmentVariable("SLURM_CONF");
        if (string.IsNullOrEmpty(conf)) return "SLURM_CONF is unset (eval \"$(tools/slurm-local.sh up)\" sets it)";
        if (!File.Exists(conf)) return $"SLURM_CONF={conf} does not exist";
        var (code, output) = Run("sinfo", "-h", "-o", "%t");
        if (code != 0) return $"sinfo {(code < 0 ? "timed out" : $"failed ({code})")}: the Slurm controller does not answer (tools/slurm-local.sh status)";
        var states = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!states.Any(s => s.StartsWith("idle", StringComparison.Ordinal) || s.StartsWith("mix", StringComparison.Ordinal)))
            return $"no Slurm node is idle (sinfo states: {string.Join(", ", states)})";
        return null;
    }

    private static bool OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, tool)));

    /// <summary>Runs a Slurm command (10 s at most); exit code and stdout.</summary>
    public static (int Code, string Out) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(10_000)) { p.Kill(); return (-1, ""); }
        return (p.ExitCode, o.Result);
    }
}

/// <summary>A fact skipped, with the reason, when no Slurm cluster answers here.</summary>
public sealed class RequiresSlurmFactAttribute : FactAttribute
{
    public RequiresSlurmFactAttribute()
    {
        if (SlurmCluster.Reason is { } why) Skip = "Slurm is not available: " + why + ".";
    }
}
