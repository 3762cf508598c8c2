using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MuonInr.Benchmarking;
using MuonInr.Kernels;

namespace MuonInr.Cli.Commands;

/// <summary>
/// <c>muoninr bench</c>: GEMM GFLOP/s of the three Linear products (managed and native side by side, with
/// their ratio) and one full training step of the protocol-A MLP, all measured in one run.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of tables." };
        var points = new Option<int>("--points") { Description = "Rows of the GEMM cases (points of the INR batch).", DefaultValueFactory = _ => 65_536 };
        var stepPoints = new Option<int>("--step-points") { Description = "Points of the training-step benchmark.", DefaultValueFactory = _ => 24_576 };
        var quick = new Option<bool>("--quick") { Description = "Fewer repetitions and smaller sizes (smoke test)." };
        var cmd = new Command("bench", "Benchmark GEMM providers and a full training step.") { json, points, stepPoints, quick };
        cmd.SetAction(parse =>
        {
            bool q = parse.GetValue(quick);
            int reps = q ? 2 : 7;
            var step = TrainingStepBenchmark.Run(parse.GetValue(stepPoints), repetitions: reps, warmup: q ? 1 : 8);
            if (parse.GetValue(json)) WriteJson(output, step);
            else WriteTable(output, step);
            return CliApp.Ok;
        });
        return cmd;
    }

    private static void WriteTable(TextWriter o, TrainingStepResult s)
    {
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(ci, $"Training step (5x256 ReLU MLP, {s.Points} points, forward + MSE + backward), provider {s.Provider}:"));
        o.WriteLine(string.Create(ci, $"  {s.Seconds:F4} s/step, {s.Gflops:F1} GFLOP/s ({s.Gflop:F2} GFLOP), GEMM-only {s.GemmSeconds:F4} s, step/GEMM ratio {s.OverheadRatio:F3}, {s.AllocatedBytes / 1024:F1} KiB allocated/step"));
    }

    private static void WriteJson(TextWriter o, TrainingStepResult s)
    {
        var doc = new
        {
            step = new { provider = s.Provider, points = s.Points, seconds = s.Seconds, gflops = s.Gflops, gemm_seconds = s.GemmSeconds, allocated_bytes = s.AllocatedBytes },
        };
        o.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
