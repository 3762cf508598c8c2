using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MuonInr.Sweeps;

/// <summary>
/// Runs a sweep on this machine: <see cref="Jobs"/> child processes at once (<c>muoninr sweep run-one</c>),
/// each with <c>MUONINR_THREADS</c> = cores / jobs, so the machine is never oversubscribed. A crashed run
/// is recorded (attempts, last message) and retried up to the sweep's retries; one bad run never stops
/// the others. A stop request stops launching and sends SIGTERM to the running children, which stop at a
/// step boundary (their runs are redone next time).
/// </summary>
public sealed class LocalExecutor(RunLauncher launcher, int jobs) : ISweepExecutor
{
    /// <summary>Concurrent runs.</summary>
    public int Jobs { get; } = Math.Max(1, jobs);

    /// <summary>Threads per run: the cores shared evenly.</summary>
    public int ThreadsPerRun => Math.Max(1, Environment.ProcessorCount / Jobs);

    [DllImport("libc", SetLastError = true, EntryPoint = "kill")]
    private static extern int SysKill(int pid, int sig);

    /// <inheritdoc />
    public async Task ExecuteAsync(SweepFolder folder, IReadOnlyList<PlannedRun> pending, int retries, Func<bool> shouldStop, Action<string> log)
    {
        var queue = new Queue<PlannedRun>(pending);
        var running = new List<(PlannedRun Run, Process Process, Task<string> Err)>();
        int done = 0, total = pending.Count;
        bool stopping = false;
        var clock = Stopwatch.StartNew();
        while (queue.Count > 0 || running.Count > 0)
        {
            if (!stopping && shouldStop())
            {
                stopping = true;
                log($"stopping: {running.Count} running run(s) asked to stop at their next step; {queue.Count} not started.");
                foreach (var r in running) Signal(r.Process);
                queue.Clear();
            }
            while (!stopping && running.Count < Jobs && queue.Count > 0)
            {
                var run = queue.Dequeue();
                var psi = new ProcessStartInfo(launcher.FileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var a in launcher.Prefix) psi.ArgumentList.Add(a);
                foreach (var a in new[] { "sweep", "run-one", folder.Path, "--id", run.Id }) psi.ArgumentList.Add(a);
                psi.Environment["MUONINR_THREADS"] = ThreadsPerRun.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var p = Process.Start(psi)!;
                _ = p.StandardOutput.ReadToEndAsync();
                running.Add((run, p, p.StandardError.ReadToEndAsync()));
            }
            if (running.Count == 0) break;
            var finished = await Task.WhenAny(running.Select(r => r.Process.WaitForExitAsync()).Append(Task.Delay(200)));
            foreach (var r in running.Where(r => r.Process.HasExited).ToList())
            {
                running.Remove(r);
                string err = await r.Err;
                int code = r.Process.ExitCode;
                r.Process.Dispose();
                var state = folder.State(r.Run);
                done++;
                if (state.Final) log($"[{done}/{total}] {r.Run.Id} {r.Run.Spec.Model.Name}/{r.Run.Spec.Optimizer.Name} {state.Status}{Remaining(clock.Elapsed, done, total)}");
                else if (code == 130 || stopping) log($"[{done}/{total}] {r.Run.Id} interrupted");
                else
                {
                    string message = LastLine(err) ?? $"exit code {code}";
                    folder.RecordFailure(r.Run.Id, message);
                    var after = folder.State(r.Run);
                    using (var store = new ResultsStore(folder)) store.Upsert(after, folder.ReadPlan().Metric, folder);
                    if (after.Attempts <= retries) { log($"{r.Run.Id} failed ({message}); retry {after.Attempts}/{retries}"); queue.Enqueue(r.Run); done--; }
                    else log($"[{done}/{total}] {r.Run.Id} failed after {after.Attempts} attempt(s): {message}");
                }
            }
            _ = finished;
        }
    }

    /// <summary>
    /// "; ≈ 1 h 40 min left": the time still needed at this sweep's pace so far (wall-clock per finished run,
    /// which already counts the runs at once); empty before the first and after the last run.
    /// </summary>
    public static string Remaining(TimeSpan elapsed, int done, int total)
    {
        if (done <= 0 || done >= total) return "";
        double seconds = elapsed.TotalSeconds / done * (total - done);
        string text = seconds >= 3600 ? $"{(int)(seconds / 3600)} h {(int)(seconds % 3600 / 60)} min"
            : seconds >= 60 ? $"{(int)Math.Round(seconds / 60)} min" : $"{Math.Max(1, (int)Math.Round(seconds))} s";
        return $"; ≈ {text} left";
    }

    private static string? LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();

    private static void Signal(Process p)
    {
        try
        {
            if (OperatingSystem.IsWindows()) p.Kill();
            else _ = SysKill(p.Id, 15); // SIGTERM (not SIGINT, which a background parent may have left ignored): the child stops at its next step boundary
        }
        catch (InvalidOperationException) { }
    }
}
