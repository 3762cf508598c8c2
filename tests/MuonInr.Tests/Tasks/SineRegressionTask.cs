using System.Globalization;
using System.Text;
using MuonInr.Rendering;
using MuonInr.Tasks;
using MuonInr.Tensors;

namespace MuonInr.Tests.Tasks;

/// <summary>
/// A toy task that is not part of MuonInr: fit y = sin(2π f x) on x ∈ [−1, 1]. It exists to prove the
/// plug-in contract: one class (this one, with its problem) and one registration line give it
/// fit/compare/run/report through the same pipeline and CLI as the built-in tasks.
/// </summary>
public sealed class SineRegressionTask : IFitTask
{
    public string Name => "toy1d";
    public string Description => "Toy task: fit sin(2π f x) on [−1, 1].";
    public string DataDescription => "'generated' (the sine is the only data)";
    public IReadOnlyList<TaskOption> Options { get; } =
    [
        new("frequency", TaskOptionKind.Number, "Frequency f of the sine.") { Min = 0, MinExclusive = true, Max = 1000 },
        new("points", TaskOptionKind.Integer, "Number of samples.") { Min = 2, Max = 1_000_000 },
    ];

    // Its own presets, as data: the task's entry of the presets table.
    public string PresetsJson => """
    {
      "run": { "data": "generated", "steps": 30, "seed": 0, "chunk": 0, "eval_every": 10, "rank_every": 10, "checkpoint_every": 0,
               "model": { "name": "relu-mlp" }, "optimizer": { "name": "muon", "schedule": "cosine", "eta_min": 0, "orthogonalizer": "ns5", "ns_steps": 5 },
               "options": { "frequency": 2, "points": 256 } },
      "model": { "hidden": 32, "layers": 3, "mapping": 16, "ff_sigma": 2, "pe_levels": 8, "omega": [10], "gauss_a": [0.1], "wavelet_sigma": [5], "finer_first_bias": false },
      "lr": { "adam": 3e-3, "adamw": 3e-3, "muon": 3e-3, "lion": 3e-4, "sgd": 1e-2, "lbfgs": 1 },
      "muon_lr": 0.02,
      "sources": { "lr.adam": "test" }
    }
    """;

    public FitProblem Prepare(TaskContext c)
    {
        if (!c.IsGenerated) throw new ArgumentException($"toy1d only fits its generated sine, got data '{c.Data}'.");
        return new Problem(c.Number("frequency"), c.Integer("points"), c.Chunk);
    }

    private sealed class Problem : FitProblem
    {
        private readonly Tensor _x;
        private readonly float[] _y;
        private readonly RegressionObjective _objective;

        public Problem(double f, int n, int chunk)
        {
            _x = Tensor.Zeros(n, 1).Escape();
            _y = new float[n];
            for (int i = 0; i < n; i++) { float x = -1f + 2f * i / (n - 1); _x.Span[i] = x; _y[i] = (float)Math.Sin(2 * Math.PI * f * x); }
            using var t = Tensor.FromData(_y, n, 1);
            _objective = new RegressionObjective(_x, t, chunk);
        }

        public override int InFeatures => 1;
        public override int OutFeatures => 1;
        public override string SignalDescription => $"{_y.Length} samples";
        public override ITrainingObjective Objective => _objective;
        public override Tensor EvaluationCoordinates => _x;
        public override string QualityName => "rmse_db";
        public override double Quality(float[] p) => -20 * Math.Log10(Rmse(p));
        private double Rmse(float[] p) => Math.Sqrt(p.Zip(_y, (a, b) => (double)(a - b) * (a - b)).Average());
        public override IReadOnlyList<TaskMetric> Metrics(float[] p) =>
            [new("rmse_db", Quality(p), "dB", "−20·log10 RMSE over every sample"), new("rmse", Rmse(p), "", "root mean squared error")];

        public override TaskArtifacts Artifacts(IReadOnlyList<(string Label, float[] Prediction)> runs)
        {
            var a = new TaskArtifacts();
            var csv = new StringBuilder("x,y," + string.Join(",", runs.Select((r, i) => r.Label.Length > 0 ? r.Label : "prediction")) + "\n");
            for (int i = 0; i < _y.Length; i++)
                csv.Append(CultureInfo.InvariantCulture, $"{_x.Span[i]},{_y[i]},{string.Join(",", runs.Select(r => r.Prediction[i].ToString(CultureInfo.InvariantCulture)))}\n");
            a.Files.Add(("curve.csv", Encoding.UTF8.GetBytes(csv.ToString())));
            var chart = new SvgLineChart { Title = "sine and fit", XLabel = "x", YLabel = "y" };
            var xs = Enumerable.Range(0, _y.Length).Select(i => (double)_x.Span[i]).ToList();
            chart.Series.Add(new ChartSeries("target", xs, _y.Select(v => (double)v).ToList()));
            foreach (var r in runs) chart.Series.Add(new ChartSeries(r.Label, xs, r.Prediction.Select(v => (double)v).ToList(), Dashed: true));
            a.Sections.Add(new ReportSection("Curve") { Charts = [chart] });
            return a;
        }

        public override void Dispose() { _objective.Dispose(); _x.Dispose(); base.Dispose(); }
    }
}
