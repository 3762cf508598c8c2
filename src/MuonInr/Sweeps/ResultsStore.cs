using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MuonInr.Experiments;

namespace MuonInr.Sweeps;

/// <summary>
/// The SQLite index of a sweep (results.db; WAL, busy timeout, so array tasks on one node may write at
/// once). Run directories stay the source of truth: <see cref="Rebuild"/> recreates the index from them.
/// One row per planned run: id, stage, grid, config, data, model, optimizer, lr, muon_lr, seed, status,
/// attempts, message, metric (the selection metric), metrics_json, seconds_per_step, dir.
/// </summary>
public sealed class ResultsStore : IDisposable
{
    private readonly SqliteConnection _db;

    /// <summary>Opens (creating if needed) the database of <paramref name="folder"/>.</summary>
    public ResultsStore(SweepFolder folder) : this(folder.Database) { }

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    public ResultsStore(string path)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000;");
        Exec("""
            CREATE TABLE IF NOT EXISTS runs (
              id TEXT PRIMARY KEY, stage TEXT NOT NULL, grid TEXT, config TEXT, data TEXT, model TEXT, optimizer TEXT,
              lr REAL, muon_lr REAL, seed INTEGER, status TEXT NOT NULL, attempts INTEGER, message TEXT,
              metric REAL, metrics_json TEXT, seconds_per_step REAL, dir TEXT, updated TEXT)
            """);
    }

    private void Exec(string sql) { using var c = _db.CreateCommand(); c.CommandText = sql; c.ExecuteNonQuery(); }

    // The data file, and for an entry with task options (segments of one clip, noise levels of one image)
    // those options after it, so rows of different signals from one file stay apart:
    // "/data/gt_bach.wav start=0.5 seconds=0.5".
    private static string? DataColumn(PlannedRun r)
    {
        if (r.Data is null || r.Spec.Data is null) return r.Spec.Data;
        string? dir = Path.GetDirectoryName(r.Spec.Data);
        return string.IsNullOrEmpty(dir) ? r.Data : Path.Combine(dir, r.Data);
    }

    /// <summary>Inserts or replaces the row of <paramref name="state"/>.</summary>
    public void Upsert(RunState state, string metric, SweepFolder folder)
    {
        var r = state.Run; var s = state.Summary;
        using var c = _db.CreateCommand();
        c.CommandText = """
            INSERT OR REPLACE INTO runs (id, stage, grid, config, data, model, optimizer, lr, muon_lr, seed, status, attempts, message, metric, metrics_json, seconds_per_step, dir, updated)
            VALUES ($id, $stage, $grid, $config, $data, $model, $optimizer, $lr, $muon_lr, $seed, $status, $attempts, $message, $metric, $metrics, $sps, $dir, $updated)
            """;
        c.Parameters.AddWithValue("$id", r.Id);
        c.Parameters.AddWithValue("$stage", r.Stage);
        c.Parameters.AddWithValue("$grid", r.Grid);
        c.Parameters.AddWithValue("$config", r.ConfigKey);
        c.Parameters.AddWithValue("$data", (object?)DataColumn(r) ?? DBNull.Value);
        c.Parameters.AddWithValue("$model", r.Spec.Model.Name);
        c.Parameters.AddWithValue("$optimizer", r.Spec.Optimizer.Name);
        c.Parameters.AddWithValue("$lr", (object?)r.Spec.Optimizer.Lr ?? DBNull.Value);
        c.Parameters.AddWithValue("$muon_lr", (object?)r.Spec.Optimizer.MuonLr ?? DBNull.Value);
        c.Parameters.AddWithValue("$seed", (long)(r.Spec.Seed ?? 0));
        c.Parameters.AddWithValue("$status", state.Status);
        c.Parameters.AddWithValue("$attempts", state.Attempts);
        c.Parameters.AddWithValue("$message", (object?)state.Message ?? DBNull.Value);
        c.Parameters.AddWithValue("$metric", (object?)MetricOf(s, metric) ?? DBNull.Value);
        c.Parameters.AddWithValue("$metrics", s is null ? DBNull.Value : JsonSerializer.Serialize(s.Metrics.ToDictionary(m => m.Key, m => m.Value.Value)));
        c.Parameters.AddWithValue("$sps", (object?)s?.SecondsPerStep ?? DBNull.Value);
        c.Parameters.AddWithValue("$dir", Path.GetRelativePath(folder.Path, folder.RunDir(r.Id)));
        c.Parameters.AddWithValue("$updated", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        c.ExecuteNonQuery();
    }

    /// <summary>The selection metric of a summary: a task metric by name, or "loss" (the last step's training loss).</summary>
    public static double? MetricOf(RunSummary? s, string metric) => s?.Metric(metric);

    /// <summary>Recreates every row from the folder's plan and run directories.</summary>
    public void Rebuild(SweepFolder folder)
    {
        var (runs, metric, _, _) = folder.ReadPlan();
        using var t = _db.BeginTransaction();
        Exec("DELETE FROM runs");
        foreach (var r in runs) Upsert(folder.State(r), metric, folder);
        t.Commit();
    }

    /// <summary>Runs a read-only query over the runs table; returns the column names and rows.</summary>
    public (IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows) Query(string? where, string? orderBy = null)
    {
        using var c = _db.CreateCommand();
        c.CommandText = "SELECT id, stage, grid, data, model, optimizer, lr, muon_lr, seed, status, metric, metrics_json, seconds_per_step, attempts, message, dir FROM runs"
            + (string.IsNullOrWhiteSpace(where) ? "" : " WHERE " + where) + " ORDER BY " + (orderBy ?? "stage DESC, model, optimizer, metric DESC");
        using var r = c.ExecuteReader();
        var cols = Enumerable.Range(0, r.FieldCount).Select(r.GetName).ToList();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return (cols, rows);
    }

    /// <summary>Closes the database.</summary>
    public void Dispose() => _db.Dispose();
}
