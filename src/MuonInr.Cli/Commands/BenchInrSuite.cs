using System.Globalization;
using System.Text.Json;
using MuonInr.Benchmarking;
using MuonInr.Kernels;

namespace MuonInr.Cli.Commands;

/// <summary>
/// <c>muoninr bench --suite inr</c>: one training step of every INR architecture at protocol-B sizes with
/// Adam and with Muon (<see cref="InrSuiteBenchmark"/>), beside PyTorch measured in the same run
/// (<see cref="TorchInrReference"/>; per architecture MuonInr first, then PyTorch, so machine noise hits
/// both alike), with the GEMM GFLOP of a step, its GFLOP/s and the fraction of the measured FMA peak.
/// </summary>
internal static class BenchInrSuite
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>One row of the table: MuonInr's measurement and PyTorch's (or null).</summary>
    internal sealed record Row(InrStepMeasurement Ours, TorchStepResult? Torch, double PeakGflops)
    {
        public double? TorchSeconds => Torch is { Error: null } t && double.IsFinite(t.Seconds) ? t.Seconds : null;
        public double? Speedup => TorchSeconds / Ours.Seconds;
        public double PercentOfPeak => 100 * Ours.Gflops / PeakGflops;
    }

    /// <summary>Runs the suite and writes the table (or JSON) to <paramref name="output"/>, progress to <paramref name="progress"/>.</summary>
    public static int Run(InrSuiteOptions options, string? torch, bool json, bool quick, TextWriter output, TextWriter progress)
    {
        var cases = InrSuiteBenchmark.Cases(options);
        var provider = Gemm.Provider;
        var auto = GemmProviders.AutoDecision;
        int threads = WorkerPool.Degree;
        var (python, torchVersion, skipped) = TorchInrReference.Resolve(torch);
        // A reference the user named and that cannot import torch is a mistake to report, not a note: the
        // default (and $MUONINR_TORCH_PYTHON) may be absent and is skipped; --torch PATH must work.
        bool named = !string.IsNullOrWhiteSpace(torch) && !string.Equals(torch.Trim(), "none", StringComparison.OrdinalIgnoreCase);
        if (named && python is null)
            throw new CliException($"--torch '{torch!.Trim()}' cannot run PyTorch ({skipped}); give a Python that can import torch, or --torch none.", CliApp.Usage);

        // The peak at the width of the GEMM tile in use (a forced --isa avx2 is measured against 256-bit FMA).
        int peakBits = provider is ManagedGemm mg ? mg.Isa switch { GemmKernelIsa.Avx2 => 256, GemmKernelIsa.Vector128 => 128, _ => 512 } : 512;
        var peak = FmaPeak.Measure(seconds: quick ? 0.05 : 0.3, repetitions: quick ? 3 : 5, maxVectorBits: peakBits);   // --quick: one 50 ms run can read ~0.6x the peak
        var rows = new List<Row>();
        foreach (var group in cases.GroupBy(c => c.Model))
        {
            var ours = new List<InrStepMeasurement>();
            foreach (var c in group)
            {
                GC.Collect(); GC.WaitForPendingFinalizers();
                progress.WriteLine($"bench: MuonInr {c.Model} {c.Optimizer} ...");
                ours.Add(InrSuiteBenchmark.Measure(c, options));
            }
            IReadOnlyList<TorchStepResult> theirs = [];
            if (python is not null)
            {
                progress.WriteLine($"bench: PyTorch {group.Key} ...");
                theirs = TorchInrReference.Run(python, TorchInrReference.Config(group.ToList(), options, threads), TimeSpan.FromMinutes(30));
            }
            foreach (var o in ours)
                rows.Add(new Row(o, theirs.FirstOrDefault(t => t.Model == o.Model && t.Optimizer == o.Optimizer), peak.Gflops));
        }

        if (json) WriteJson(output, options, provider, auto, threads, peak, python, torchVersion, skipped, rows);
        else WriteTable(output, options, provider, auto, threads, peak, python, torchVersion, skipped, rows);
        return CliApp.Ok;
    }

    private static string ProviderLine(IGemmProvider provider, GemmDecision auto)
        => ReferenceEquals(provider, auto.Provider)
            ? $"GEMM provider: {provider.Name}; {auto.Sentence}"
            : $"GEMM provider: {provider.Name} (set by --isa, --blas or MUONINR_BLAS; {auto.Sentence})";

    private static void WriteTable(TextWriter o, InrSuiteOptions opt, IGemmProvider provider, GemmDecision auto, int threads, FmaPeakResult peak,
        string? python, string? torchVersion, string? skipped, List<Row> rows)
    {
        o.WriteLine(string.Create(Ci, $"INR suite (protocol B): {opt.Width}x{opt.Height} image ({opt.Points:N0} points), hidden {opt.Hidden}, image-task presets; median of {opt.Steps} timed steps after {opt.Warmup} warm-up"));
        o.WriteLine(ProviderLine(provider, auto));
        o.WriteLine(string.Create(Ci, $"Threads: {threads}; widest accelerated vector: {FmaPeak.VectorBits}-bit; measured FMA peak: {peak.Gflops:F1} GFLOP/s ({peak.VectorBits}-bit FMA, {peak.Accumulators} accumulators per thread, {peak.Threads} thread{(peak.Threads == 1 ? "" : "s")})"));
        o.WriteLine(python is null ? skipped! : $"PyTorch {torchVersion} ({python}), {threads} threads; WIRE in torch.cfloat");
        o.WriteLine("GEMM GFLOP: GEMM calls only (2·m·n·k each, recorded over one step, Muon's Newton–Schulz included); elementwise work not counted.");
        o.WriteLine();
        o.WriteLine($"{"model",-10} {"opt",-5} {"MuonInr s/step",14} {"PyTorch s/step",14} {"speed-up",9} {"GEMM GFLOP",11} {"GFLOP/s",8} {"% peak",7}");
        foreach (var r in rows)
        {
            string torch = r.TorchSeconds is { } ts ? ts.ToString("F4", Ci) : r.Torch?.Error is not null ? "error" : "-";
            string speed = r.Speedup is { } s ? s.ToString("F2", Ci) + "x" : "-";
            o.WriteLine(string.Create(Ci, $"{r.Ours.Model,-10} {r.Ours.Optimizer,-5} {r.Ours.Seconds,14:F4} {torch,14} {speed,9} {r.Ours.GemmGflop,11:F2} {r.Ours.Gflops,8:F1} {r.PercentOfPeak,6:F1}%"));
        }
        foreach (var r in rows.Where(r => r.Torch?.Error is not null))
            o.WriteLine($"PyTorch {r.Ours.Model} {r.Ours.Optimizer}: {r.Torch!.Error}");
    }

    private static void WriteJson(TextWriter o, InrSuiteOptions opt, IGemmProvider provider, GemmDecision auto, int threads, FmaPeakResult peak,
        string? python, string? torchVersion, string? skipped, List<Row> rows)
    {
        static double? Finite(double x) => double.IsFinite(x) ? x : null;
        var doc = new
        {
            suite = "inr",
            width = opt.Width, height = opt.Height, points = opt.Points, hidden = opt.Hidden, steps = opt.Steps, warmup = opt.Warmup,
            provider = provider.Name, auto = auto.Sentence, threads,
            vector_bits = FmaPeak.VectorBits, peak_vector_bits = peak.VectorBits, peak_gflops = peak.Gflops,
            torch = new { python, version = torchVersion, skipped },
            rows = rows.Select(r => new
            {
                model = r.Ours.Model, optimizer = r.Ours.Optimizer,
                seconds = r.Ours.Seconds, step_seconds = r.Ours.StepSeconds,
                torch_seconds = r.TorchSeconds, torch_step_seconds = r.Torch?.StepSeconds, torch_error = r.Torch?.Error,
                speedup = r.Speedup,
                gemm_gflop = r.Ours.GemmGflop, gemm_calls = r.Ours.GemmCalls, gflops = r.Ours.Gflops, percent_of_peak = r.PercentOfPeak,
                loss = Finite(r.Ours.Loss), torch_loss = r.Torch is null ? null : Finite(r.Torch.Loss),
            }),
        };
        o.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
    }
}
