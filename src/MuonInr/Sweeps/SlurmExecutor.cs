using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MuonInr.Sweeps;

/// <summary>Slurm settings of a sweep.</summary>
public sealed record SlurmSettings
{
    /// <summary>--partition (null: the cluster's default).</summary>
    public string? Partition { get; init; }
    /// <summary>--time per array task (e.g. 01:00:00; null: the partition's default).</summary>
    public string? Time { get; init; }
    /// <summary>--cpus-per-task; each run gets MUONINR_THREADS equal to it.</summary>
    public int CpusPerTask { get; init; } = 2;
    /// <summary>Array concurrency limit (%N); null: no limit.</summary>
    public int? ArrayLimit { get; init; }
    /// <summary>Extra sbatch flags, verbatim (e.g. --account=abc, --mem=8G).</summary>
    public IReadOnlyList<string> ExtraFlags { get; init; } = [];
    /// <summary>Block until the array finished (polling squeue) instead of chaining a gather job.</summary>
    public bool Wait { get; init; }
    /// <summary>The sweep command (launcher arguments after the executable) the gather job re-runs to continue the sweep.</summary>
    public IReadOnlyList<string> ContinueArgs { get; init; } = [];
    /// <summary>
    /// Largest job array the cluster accepts (array indices 0 … max − 1); null: Slurm's MaxArraySize from
    /// <c>scontrol show config</c> (1001 when it cannot be read), or MUONINR_SLURM_MAX_ARRAY when set.
    /// More pending runs than that are submitted as several arrays, all before one gather job.
    /// </summary>
    public int? MaxArraySize { get; init; }
}

/// <summary>
/// Runs a sweep's pending runs as one Slurm job array (several when they exceed the cluster's
/// MaxArraySize; task i runs <c>muoninr sweep run-one DIR --id ID</c>
/// with the i-th id of a frozen list, slurm/array-N.ids), each with MUONINR_THREADS =
/// cpus-per-task. Without <see cref="SlurmSettings.Wait"/> it also submits a gather job (dependency
/// afterany on the array) that re-runs the sweep command: it records runs that did not finish as failed
/// attempts (retried up to the sweep's retries), submits the next stage, and writes the report when
/// everything is done. Assumes the sweep folder and the CLI are on a filesystem every node sees.
/// </summary>
public sealed class SlurmExecutor(RunLauncher launcher, SlurmSettings settings) : ISweepExecutor
{
    /// <summary>The job id(s) of the last submission, comma-separated when it needed several arrays (null before submission).</summary>
    public string? Submitted { get; private set; }

    /// <inheritdoc />
    public async Task ExecuteAsync(SweepFolder folder, IReadOnlyList<PlannedRun> pending, int retries, Func<bool> shouldStop, Action<string> log)
    {
        string dir = Path.Combine(folder.Path, "slurm");
        Directory.CreateDirectory(Path.Combine(dir, "out"));
        Directory.CreateDirectory(Path.Combine(dir, "submitted"));
        // Runs submitted before that are still not final did not finish: a failed attempt each.
        var todo = new List<PlannedRun>();
        foreach (var r in pending)
        {
            string marker = Path.Combine(dir, "submitted", r.Id);
            if (File.Exists(marker) && !folder.State(r).Final)
            {
                folder.RecordFailure(r.Id, $"did not finish under Slurm (job {File.ReadAllText(marker).Trim()}; see {Path.Combine(dir, "out")})");
                if (folder.State(r).Attempts > retries) { log($"{r.Id} failed {retries + 1} time(s) under Slurm; giving up"); continue; }
            }
            todo.Add(r);
        }
        if (todo.Count == 0) return;
        int maxArray = settings.MaxArraySize ?? ClusterMaxArraySize();
        var jobs = new List<string>();
        int batch = Directory.GetFiles(dir, "array-*.sh").Length;
        foreach (var part in todo.Chunk(maxArray))
        {
            string job = await SubmitArray(folder, dir, batch++, part);
            jobs.Add(job);
            foreach (var r in part) await File.WriteAllTextAsync(Path.Combine(dir, "submitted", r.Id), job);
            log($"submitted Slurm array {job}: {part.Length} runs ({Path.Combine(dir, $"array-{batch - 1}.sh")})");
        }
        Submitted = string.Join(',', jobs);
        if (!settings.Wait)
        {
            if (settings.ContinueArgs.Count == 0) return;
            string gather = Path.Combine(dir, $"gather-{batch - 1}.sh");
            var g = new StringBuilder("#!/bin/bash\n");
            g.Append($"#SBATCH --job-name=muoninr-{Path.GetFileName(folder.Path)}-gather\n#SBATCH --cpus-per-task=1\n");
            if (settings.Partition is { } gp) g.Append($"#SBATCH --partition={gp}\n");
            g.Append($"#SBATCH --output={Path.Combine(dir, "out")}/gather-%j.out\n");
            foreach (var f in settings.ExtraFlags) g.Append($"#SBATCH {f}\n");
            g.Append("# Continues the sweep after the array(s): records unfinished runs, submits the next stage, writes the report.\n");
            g.Append("exec ").Append(launcher.Shell([.. settings.ContinueArgs])).Append('\n');
            await File.WriteAllTextAsync(gather, g.ToString());
            string gj = Sbatch(gather, string.Join(':', jobs));
            await File.AppendAllTextAsync(Path.Combine(dir, "jobs.txt"), gj + "\n");
            log($"submitted gather job {gj} (after {string.Join(", ", jobs)})");
            return;
        }
        while (true)
        {
            if (shouldStop()) { foreach (var j in jobs) Run("scancel", j); log($"cancelled Slurm job(s) {Submitted}"); return; }
            var (code, output, error) = Run("squeue", "-h", "-j", Submitted, "-o", "%i");
            if (code == 0 && output.Trim().Length == 0) break;
            // A job purged from the controller (MinJobAge after it ended) is unknown to squeue: it ended too.
            // Other errors (the controller briefly unreachable) keep polling.
            if (code != 0 && error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) break;
            await Task.Delay(1000);
        }
        foreach (var r in todo)
            if (!folder.State(r).Final)
            {
                folder.RecordFailure(r.Id, $"did not finish under Slurm (job {File.ReadAllText(Path.Combine(dir, "submitted", r.Id)).Trim()}; see {Path.Combine(dir, "out")})");
                log($"{r.Id} did not finish under Slurm");
            }
    }

    /// <summary>Writes array-N.ids and array-N.sh for <paramref name="runs"/> and submits the array; returns its job id.</summary>
    private async Task<string> SubmitArray(SweepFolder folder, string dir, int batch, IReadOnlyList<PlannedRun> runs)
    {
        string ids = Path.Combine(dir, $"array-{batch}.ids");
        await File.WriteAllLinesAsync(ids, runs.Select(r => r.Id));
        string script = Path.Combine(dir, $"array-{batch}.sh");
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.Append($"#SBATCH --job-name=muoninr-{Path.GetFileName(folder.Path)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{runs.Count - 1}{(settings.ArrayLimit is { } n ? $"%{n}" : "")}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={settings.CpusPerTask}\n");
        if (settings.Time is { } t) sb.Append($"#SBATCH --time={t}\n");
        if (settings.Partition is { } p) sb.Append($"#SBATCH --partition={p}\n");
        sb.Append($"#SBATCH --output={Path.Combine(dir, "out")}/%A_%a.out\n");
        foreach (var f in settings.ExtraFlags) sb.Append($"#SBATCH {f}\n");
        sb.Append("# One planned run per array task; the id list is frozen at submission (").Append(Path.GetFileName(ids)).Append(").\n");
        sb.Append("export MUONINR_THREADS=${SLURM_CPUS_PER_TASK:-1}\n");
        sb.Append($"ID=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {RunLauncher.Quote(ids)})\n");
        sb.Append("exec ").Append(launcher.Shell("sweep", "run-one", folder.Path)).Append(" --id \"$ID\"\n");
        await File.WriteAllTextAsync(script, sb.ToString());
        string job = Sbatch(script, null);
        await File.AppendAllTextAsync(Path.Combine(dir, "jobs.txt"), job + "\n");
        return job;
    }

    /// <summary>MUONINR_SLURM_MAX_ARRAY, else MaxArraySize of <c>scontrol show config</c>, else Slurm's default 1001.</summary>
    internal static int ClusterMaxArraySize()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("MUONINR_SLURM_MAX_ARRAY"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int env) && env > 0) return env;
        try
        {
            var (code, output, _) = Run("scontrol", "show", "config");
            if (code == 0)
                foreach (var line in output.Split('\n'))
                {
                    var parts = line.Split('=', 2);
                    if (parts.Length == 2 && parts[0].Trim() == "MaxArraySize" && int.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int max) && max > 0) return max;
                }
        }
        catch (IOException) { }
        return 1001;
    }

    private static string Sbatch(string script, string? afterAny)
    {
        var args = new List<string> { "--parsable" };
        if (afterAny is not null) args.Add($"--dependency=afterany:{afterAny}");
        args.Add(script);
        var (code, output, error) = Run("sbatch", [.. args]);
        if (code != 0) throw new IOException($"sbatch failed ({code}): {error.Trim().Split('\n').LastOrDefault() ?? "no message"}");
        return output.Trim().Split(';')[0];
    }

    private static (int Code, string Out, string Err) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var o = p.StandardOutput.ReadToEndAsync(); var e = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, o.Result, e.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new IOException($"'{file}' was not found: the Slurm executor needs the Slurm commands (sbatch, squeue, scancel) on PATH.");
        }
    }

    /// <summary>Lines describing the sweep's Slurm jobs still in the queue (empty when none or no Slurm).</summary>
    public static IEnumerable<string> QueueStatus(SweepFolder folder)
    {
        string jobs = Path.Combine(folder.Path, "slurm", "jobs.txt");
        if (!File.Exists(jobs)) yield break;
        var ids = File.ReadAllLines(jobs).Where(l => l.Trim().Length > 0).ToList();
        (int Code, string Out, string Err) q;
        try { q = Run("squeue", "-h", "-j", string.Join(',', ids), "-o", "%i %j %T %M"); }
        catch (IOException) { yield break; }
        var lines = q.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        yield return lines.Length == 0 ? $"slurm: no job of this sweep in the queue (submitted: {string.Join(", ", ids)})" : $"slurm: {lines.Length} job(s) in the queue:";
        foreach (var l in lines) yield return "  " + l;
    }
}
