using System.CommandLine;
using System.Globalization;
using MuonInr.Sweeps;

namespace MuonInr.Cli.Commands;

/// <summary><c>muoninr runs DIR</c>: the runs of a sweep from its results.db, filtered (SQL WHERE), as a table or CSV.</summary>
internal static class RunsCommand
{
    public static Command Create(CliContext ctx)
    {
        var dir = new Argument<string>("DIR") { Description = "Sweep folder." };
        var where = new Option<string?>("--where") { Description = "SQL condition on the runs table, e.g. \"model = 'siren' AND status = 'completed'\"." };
        var csv = new Option<bool>("--csv") { Description = "Print CSV (for spreadsheets and pandas)." };
        var cmd = new Command("runs", "List the runs of a sweep (results.db): id, stage, model, optimizer, LRs, status, metric.") { dir, where, csv };
        cmd.SetAction(p =>
        {
            var folder = TaskCommands.Guard(() => SweepFolder.Open(p.GetValue(dir)!));
            if (!File.Exists(folder.Database)) throw new CliException($"'{folder.Path}' has no results.db; build it with 'muoninr sweep index {folder.Path}'.");
            using var store = new ResultsStore(folder);
            (IReadOnlyList<string> cols, IReadOnlyList<object?[]> rows) result;
            try { result = store.Query(p.GetValue(where)); }
            catch (Microsoft.Data.Sqlite.SqliteException e) { throw new CliException($"--where: {e.Message.Split('\n')[0]}", CliApp.Usage); }
            var ci = CultureInfo.InvariantCulture;
            string Cell(object? v) => v switch { null => "", double d => d.ToString("G6", ci), IFormattable f => f.ToString(null, ci), _ => v.ToString() ?? "" };
            if (p.GetValue(csv))
            {
                ctx.Out.WriteLine(string.Join(',', result.cols));
                foreach (var r in result.rows) ctx.Out.WriteLine(string.Join(',', r.Select(v => { string s = Cell(v); return s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s; })));
            }
            else
            {
                string[] shown = ["id", "stage", "model", "optimizer", "lr", "muon_lr", "seed", "status", "metric", "data"];
                var idx = shown.Select(c => result.cols.ToList().IndexOf(c)).ToArray();
                var table = result.rows.Select(r => idx.Select(i => i == 9 ? Path.GetFileName(Cell(r[i])) : Cell(r[i])).ToArray()).ToList();
                var widths = shown.Select((c, k) => Math.Max(c.Length, table.Count == 0 ? 0 : table.Max(t => t[k].Length))).ToArray();
                ctx.Out.WriteLine(string.Join("  ", shown.Select((c, k) => c.PadRight(widths[k]))));
                foreach (var t in table) ctx.Out.WriteLine(string.Join("  ", t.Select((c, k) => c.PadRight(widths[k]))));
                ctx.Out.WriteLine($"{table.Count} run(s)");
            }
            return CliApp.Ok;
        });
        return cmd;
    }
}
