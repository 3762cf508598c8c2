using System.Diagnostics;
using System.Text.Json.Nodes;
using MuonInr.Cli;

namespace MuonInr.Tests.Cli;

/// <summary>A real SIGINT to a real `muoninr fit` process: clean stop, exit 130, and a bit-identical resume.</summary>
public class SignalTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-sig-" + Guid.NewGuid().ToString("N"));

    public SignalTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Deterministic(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node.Remove("seconds_per_step");
        return node.ToJsonString();
    }

    private static bool SigIntIgnored()
    {
        // /proc/self/status "SigIgn:" is a hex mask; SIGINT is signal 2 (bit 1).
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) : null;
        return line is not null && (Convert.ToUInt64(line[7..].Trim(), 16) & 2UL) != 0;
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("muon")]
    public async Task Sigint_stops_at_a_step_boundary_and_the_resumed_run_equals_an_uninterrupted_one(string optimizer)
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals
        // Big enough that the run lasts seconds on an idle fast machine (at 48 wide on a 56-pixel image all 800 steps
        // took 0.7 s, less than the signal's way there), so the signal lands mid-run on any machine.
        string[] common = ["fit", "image", "generated", "--optimizer", optimizer, "--steps", "800", "--hidden", "96", "--layers", "3",
            "--generated-width", "96", "--eval-every", "100", "--rank-every", "500", "--seed", "3"];
        string cli = Path.Combine(AppContext.BaseDirectory, "MuonInr.Cli.dll");
        string stopped = Path.Combine(_dir, "stopped");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(cli);
        foreach (var a in common) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--out"); psi.ArgumentList.Add(stopped);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        // Progress lines go to stderr (one per 10 % when redirected): signal after the first one, i.e. mid-run.
        string? line;
        while ((line = await p.StandardError.ReadLineAsync()) is not null && !line.Contains("/800 loss", StringComparison.Ordinal)) { }
        Assert.NotNull(line);
        // SIGINT, unless this process was started with SIGINT ignored (a background job of a non-interactive
        // shell: children inherit SIG_IGN and the runtime keeps it, as a nohup'd program should): then
        // SIGTERM, which takes the same clean-stop path.
        string signal = SigIntIgnored() ? "-TERM" : "-INT";
        using (var kill = Process.Start("kill", [signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill!.WaitForExitAsync();
        string rest = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 130, $"exit {p.ExitCode}: {rest} {await stdout}");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(stopped, "summary.json")))!;
        Assert.Equal("interrupted", (string?)summary["status"]);
        int at = (int)summary["steps"]!;
        Assert.InRange(at, 1, 799);
        Assert.True(File.Exists(Path.Combine(stopped, "checkpoint", "checkpoint.json")));
        Assert.True(File.Exists(Path.Combine(stopped, "config.json")));

        var o = new StringWriter(); var e = new StringWriter();
        Assert.Equal(0, CliApp.Run([.. common, "--out", Path.Combine(_dir, "resumed"), "--resume", stopped], o, e));
        Assert.Equal(0, CliApp.Run([.. common, "--out", Path.Combine(_dir, "full")], o, e));
        // Same machine, provider and thread count (the default: every core), so the bits must match.
        Assert.Equal(Deterministic(Path.Combine(_dir, "full", "summary.json")), Deterministic(Path.Combine(_dir, "resumed", "summary.json")));
    }
}

