using System.Text.Json;
using System.Text.Json.Nodes;
using MuonInr.Experiments;

namespace MuonInr.Sweeps;

/// <summary>State of one planned run, read from its directory (the source of truth).</summary>
/// <param name="Run">The planned run.</param>
/// <param name="Status">pending, completed, diverged, interrupted or failed.</param>
/// <param name="Summary">summary.json when the run produced one.</param>
/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="Message">The last failure's message, or null.</param>
public sealed record RunState(PlannedRun Run, string Status, RunSummary? Summary, int Attempts, string? Message)
{
    /// <summary>Whether the run never needs to run again (completed, or diverged: deterministic, so a result).</summary>
    public bool Final => Status is "completed" or "diverged";
}

/// <summary>
/// A sweep folder: <c>sweep.yaml</c> (the spec as given), <c>plan.json</c> (every planned run with its
/// resolved RunSpec, by stage), <c>runs/ID/</c> (one run directory per configuration, the source of truth),
/// <c>failures/ID.json</c> (attempts and last message of runs that crashed), <c>results.db</c> (the
/// SQLite index, rebuildable), <c>report.html</c>, and <c>slurm/</c> for the Slurm executor.
/// Assumes every process that runs a part of the sweep sees the folder (one machine, or a shared filesystem).
/// </summary>
public sealed class SweepFolder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private SweepFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>Creates the folder at <paramref name="path"/> for a sweep (or reuses it: finished runs are kept).</summary>
    public static SweepFolder Create(string path)
    {
        var f = new SweepFolder(path);
        Directory.CreateDirectory(f.RunsDir);
        return f;
    }

    /// <summary>Opens an existing sweep folder (one with plan.json); creates nothing.</summary>
    public static SweepFolder Open(string path)
    {
        var f = new SweepFolder(path);
        if (!File.Exists(f.PlanFile)) throw new FileNotFoundException($"'{path}' is not a sweep folder (plan.json is missing).", f.PlanFile);
        return f;
    }

    /// <summary>Absolute path.</summary>
    public string Path { get; }
    /// <summary>Folder of the run directories.</summary>
    public string RunsDir => System.IO.Path.Combine(Path, "runs");
    /// <summary>Run directory of <paramref name="id"/>.</summary>
    public string RunDir(string id) => System.IO.Path.Combine(RunsDir, id);
    /// <summary>plan.json.</summary>
    public string PlanFile => System.IO.Path.Combine(Path, "plan.json");
    /// <summary>The SQLite index.</summary>
    public string Database => System.IO.Path.Combine(Path, "results.db");
    private string FailureFile(string id) => System.IO.Path.Combine(Path, "failures", id + ".json");

    /// <summary>Writes the plan (all stages so far), atomically.</summary>
    public void WritePlan(SweepSpec spec, IReadOnlyList<PlannedRun> runs)
    {
        var root = new JsonObject
        {
            ["name"] = spec.Name,
            ["metric"] = spec.Metric,
            ["direction"] = spec.Maximize ? "max" : "min",
            ["retries"] = spec.Retries,
            ["runs"] = new JsonArray([.. runs.Select(r =>
            {
                var o = new JsonObject { ["id"] = r.Id, ["stage"] = r.Stage, ["grid"] = r.Grid, ["config"] = r.ConfigKey };
                if (r.Data is not null) o["data"] = r.Data;
                o["spec"] = RunSpecJson.ToNode(r.Spec);
                return (JsonNode)o;
            })]),
        };
        string tmp = PlanFile + ".tmp";
        File.WriteAllText(tmp, root.ToJsonString(Indented));
        File.Move(tmp, PlanFile, overwrite: true);
    }

    /// <summary>The plan: every run, the selection metric and direction.</summary>
    public (IReadOnlyList<PlannedRun> Runs, string Metric, bool Maximize, int Retries) ReadPlan()
    {
        if (!File.Exists(PlanFile)) throw new FileNotFoundException($"'{Path}' is not a sweep folder (plan.json is missing).", PlanFile);
        var root = JsonNode.Parse(File.ReadAllText(PlanFile))!.AsObject();
        var runs = root["runs"]!.AsArray().Select(n => new PlannedRun((string)n!["id"]!, (string)n["stage"]!, (string)n["grid"]!, (string)n["config"]!,
            RunSpecJson.FromNode(n["spec"]!.AsObject()), (string?)n["data"])).ToList();
        return (runs, (string?)root["metric"] ?? "psnr", (string?)root["direction"] != "min", (int?)root["retries"] ?? 1);
    }

    // The loss of metrics.csv's last row (step, loss, …), for summaries written before final_loss existed.
    private static double? LastLoss(string metricsCsv)
    {
        if (!File.Exists(metricsCsv)) return null;
        var last = File.ReadLines(metricsCsv).Skip(1).LastOrDefault()?.Split(',');
        return last is { Length: > 1 } && double.TryParse(last[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v : null;
    }

    /// <summary>The state of <paramref name="run"/> from its directory and failure record.</summary>
    public RunState State(PlannedRun run)
    {
        int attempts = 0; string? message = null;
        string ff = FailureFile(run.Id);
        if (File.Exists(ff))
        {
            try
            {
                var f = JsonNode.Parse(File.ReadAllText(ff))!;
                attempts = (int?)f["attempts"] ?? 0; message = (string?)f["message"];
            }
            catch (JsonException) { }
        }
        string summaryPath = System.IO.Path.Combine(RunDir(run.Id), "summary.json");
        if (File.Exists(summaryPath))
        {
            try
            {
                var s = JsonSerializer.Deserialize<RunSummary>(File.ReadAllText(summaryPath), RunSpecJson.Options)!;
                if (s.FinalLoss is null) s = s with { FinalLoss = LastLoss(System.IO.Path.Combine(RunDir(run.Id), "metrics.csv")) };
                return new RunState(run, s.Status, s, attempts, message);
            }
            catch (JsonException) { }
        }
        return new RunState(run, attempts > 0 ? "failed" : "pending", null, attempts, message);
    }

    /// <summary>Records a crashed attempt (attempt count + message).</summary>
    public void RecordFailure(string id, string message)
    {
        var ff = FailureFile(id);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(ff)!);
        int attempts = 0;
        if (File.Exists(ff)) try { attempts = (int?)JsonNode.Parse(File.ReadAllText(ff))!["attempts"] ?? 0; } catch (JsonException) { }
        File.WriteAllText(ff, new JsonObject { ["attempts"] = attempts + 1, ["message"] = message, ["time"] = DateTime.UtcNow.ToString("O") }.ToJsonString(Indented));
    }

    /// <summary>Clears a run's failure record (it completed).</summary>
    public void ClearFailure(string id) { if (File.Exists(FailureFile(id))) File.Delete(FailureFile(id)); }
}
