using System.Text.Json.Nodes;
using MuonInr.Cli;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.Sweeps;

/// <summary>
/// The Slurm executor against a real Slurm (tools/slurm-local.sh up; .ci/run starts one): a tiny sweep run
/// with the local executor and under Slurm gives the same leaderboard, bit for bit. Both use one thread
/// per run (local: --jobs = cores; Slurm: --cpus-per-task 1), as bit-equality needs equal MUONINR_THREADS.
/// Skipped, with the reason, when no Slurm answers.
/// </summary>
public sealed class SlurmIntegrationTests : IDisposable, IClassFixture<SlurmIntegrationTests.Reference>
{
    /// <summary>The tiny sweep with the local executor, run once for both tests (on first use: not when skipped).</summary>
    public sealed class Reference : IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-slurm-ref-" + Guid.NewGuid().ToString("N"));
        private readonly Lazy<(string Out, SortedDictionary<string, string> Board)> _run;

        public Reference() => _run = new(() =>
        {
            Directory.CreateDirectory(_dir);
            string spec = Path.Combine(_dir, "tiny.yaml");
            File.WriteAllText(spec, Spec);
            string dir = Path.Combine(_dir, "local");
            // --jobs = cores: one thread per run, as under Slurm with --cpus-per-task 1.
            var (code, stdout, stderr) = Cli("sweep", spec, "--out", dir, "--jobs", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(code == 0, stderr);
            return (stdout, Leaderboard(dir));
        });

        public (string Out, SortedDictionary<string, string> Board) Run => _run.Value;

        public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }
    }

    private const string Spec = """
        name: tiny
        base:
          task: image
          steps: 20
          eval_every: 10
          rank_every: 10
          model: { hidden: 32, layers: 3 }
          options: { generated_width: 32 }
        models: [relu-mlp]
        grids:
          - name: adam
            axes:
              optimizer.name: [adam]
              optimizer.lr: [1e-3, 1e-2]
          - name: muon
            axes:
              optimizer.name: [muon]
              optimizer.muon_lr: [0.01, 0.1]
              optimizer.lr: [1e-3]
        seeds: [0]
        data:
          tune: [generated]
        select: { metric: psnr, direction: max }
        retries: 0
        """;

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-slurm-" + Guid.NewGuid().ToString("N"));
    private readonly string _spec;

    private readonly Reference _reference;

    public SlurmIntegrationTests(Reference reference)
    {
        _reference = reference;
        Directory.CreateDirectory(_dir);
        _spec = Path.Combine(_dir, "tiny.yaml");
        File.WriteAllText(_spec, Spec);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } // a late Slurm output file
    }

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var o = new StringWriter(); var e = new StringWriter();
        var deadline = DateTime.UtcNow + Limit; // --wait polls squeue: never hang the test run
        int code = CliApp.Run(args, o, e, () => DateTime.UtcNow > deadline);
        return (code, o.ToString(), e.ToString());
    }

    private static string[] Winners(string stdout) => [.. stdout.Split('\n').Where(l => l.TrimStart().StartsWith("best ", StringComparison.Ordinal)).Select(l => l.Trim())];

    /// <summary>Run id → summary.json without seconds_per_step (the only field that depends on timing).</summary>
    private static SortedDictionary<string, string> Leaderboard(string sweep)
    {
        var board = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var run in Directory.GetDirectories(Path.Combine(sweep, "runs")))
        {
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!.AsObject();
            Assert.Equal("completed", (string?)summary["status"]);
            summary.Remove("seconds_per_step");
            board[Path.GetFileName(run)] = summary.ToJsonString();
        }
        return board;
    }

    private static double Psnr(string summaryJson) => (double)JsonNode.Parse(summaryJson)!["metrics"]!["psnr"]!["value"]!;

    private static void AssertSameBoards(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual)
    {
        Assert.Equal(4, expected.Count);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (id, summary) in expected)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(Psnr(summary)), BitConverter.DoubleToInt64Bits(Psnr(actual[id])));
            Assert.Equal(summary, actual[id]);
        }
    }

    [RequiresSlurmFact]
    public void Slurm_wait_gives_the_local_leaderboard_bit_for_bit()
    {
        var (localOut, localBoard) = _reference.Run;
        string dir = Path.Combine(_dir, "slurm");
        var (code, stdout, stderr) = Cli("sweep", _spec, "--out", dir, "--executor", "slurm", "--wait", "--cpus-per-task", "1");
        Assert.True(code == 0, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("submitted Slurm array", stderr);
        Assert.Single(File.ReadAllLines(Path.Combine(dir, "slurm", "jobs.txt")), l => l.Length > 0); // no gather job with --wait
        Assert.Equal(4, Directory.GetFiles(Path.Combine(dir, "slurm", "out"), "*.out").Length);
        AssertSameBoards(localBoard, Leaderboard(dir));
        Assert.Equal(2, Winners(localOut).Length);
        Assert.Equal(Winners(localOut), Winners(stdout));
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
    }

    [RequiresSlurmFact]
    public void More_runs_than_the_cluster_s_max_array_size_go_out_as_several_arrays()
    {
        var (_, localBoard) = _reference.Run;
        string dir = Path.Combine(_dir, "split");
        Environment.SetEnvironmentVariable("MUONINR_SLURM_MAX_ARRAY", "3"); // 4 runs: arrays of 3 and 1
        try
        {
            var (code, stdout, stderr) = Cli("sweep", _spec, "--out", dir, "--executor", "slurm", "--wait", "--cpus-per-task", "1");
            Assert.True(code == 0, $"exit {code}: {stderr}\n{stdout}");
            Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "slurm", "jobs.txt")).Count(l => l.Length > 0));
            Assert.Equal(3, File.ReadAllLines(Path.Combine(dir, "slurm", "array-0.ids")).Length);
            Assert.Single(File.ReadAllLines(Path.Combine(dir, "slurm", "array-1.ids")));
            AssertSameBoards(localBoard, Leaderboard(dir));
        }
        finally { Environment.SetEnvironmentVariable("MUONINR_SLURM_MAX_ARRAY", null); }
    }

    [RequiresSlurmFact]
    public void Slurm_gather_job_finishes_the_sweep_and_writes_the_report()
    {
        var (localOut, localBoard) = _reference.Run;
        string dir = Path.Combine(_dir, "gather");
        var (code, stdout, stderr) = Cli("sweep", _spec, "--out", dir, "--executor", "slurm", "--cpus-per-task", "1");
        Assert.True(code == 0, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("waiting:", stdout);
        Assert.Contains("tune 4 runs (4 submitted now)", stdout);
        Assert.Contains("submitted gather job", stderr);
        var jobs = File.ReadAllLines(Path.Combine(dir, "slurm", "jobs.txt")).Where(l => l.Length > 0).ToArray();
        Assert.Equal(2, jobs.Length); // the array and its gather job

        // The gather job is the sweep command again (absolute paths, no --wait), after the array.
        string gatherScript = File.ReadAllText(Path.Combine(dir, "slurm", "gather-0.sh"));
        Assert.Contains($"sweep {_spec} --out {Path.GetFullPath(dir)} --executor slurm --cpus-per-task 1", gatherScript);
        Assert.DoesNotContain("--wait", gatherScript);

        // Poll until both jobs left the queue and the gather job's output says it wrote the report.
        string gatherOut = Path.Combine(dir, "slurm", "out", $"gather-{jobs[1]}.out");
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            var (qc, queued) = SlurmCluster.Run("squeue", "-h", "-j", string.Join(',', jobs), "-o", "%i");
            bool gone = (qc == 0 && queued.Trim().Length == 0) || qc == 1; // 1: purged from the controller already
            if (gone && File.Exists(gatherOut) && File.ReadAllText(gatherOut).Contains("report: ", StringComparison.Ordinal)) break;
            Assert.True(DateTime.UtcNow < deadline, $"the Slurm jobs {string.Join(", ", jobs)} did not finish within {Limit.TotalSeconds} s (squeue: {queued.Trim()})");
            Thread.Sleep(500);
        }
        string gathered = File.ReadAllText(gatherOut);
        Assert.Contains($"report: {Path.Combine(Path.GetFullPath(dir), "report.html")}", gathered);
        Assert.DoesNotContain("waiting:", gathered);
        Assert.Contains("tune 4 runs (0 executed now)", gathered);
        Assert.Equal(Winners(localOut), Winners(gathered));
        AssertSameBoards(localBoard, Leaderboard(dir));

        var (sc, status, _) = Cli("sweep", "status", dir);
        Assert.Equal(0, sc);
        Assert.Contains("tune: 4 runs: 4 completed", status);
        Assert.Contains("slurm: no job of this sweep in the queue", status);
    }
}
