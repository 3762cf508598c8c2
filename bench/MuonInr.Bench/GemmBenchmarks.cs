using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Bench;

/// <summary>GFLOP/s column: 2·m·n·k / mean time, from the benchmark's parameters.</summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => "GFLOPs";
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·m·n·k / mean time";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null) return "-";
        var shape = (string)benchmarkCase.Parameters["Shape"];
        var d = shape.Split(' ')[1].Split('x').Select(double.Parse).ToArray();
        return (2 * d[0] * d[1] * d[2] / (report.ResultStatistics.Mean * 1e-9) / 1e9).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// The three INR Linear products at 65,536 points and width 256, plus odd sizes: managed provider
/// against OpenBLAS (the baseline) when it is installed.
/// </summary>
[Config(typeof(Config))]
public class GemmBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    private float[] _a = [], _b = [], _c = [];
    private bool _ta, _tb;
    private int _m, _n, _k;
    private IGemmProvider _provider = null!;

    /// <summary>"OP mxnxk".</summary>
    [Params("NT 65536x256x256", "NN 65536x256x256", "TN 256x256x65536", "NN 257x257x257", "NT 24576x3x256")]
    public string Shape { get; set; } = "";

    [Params("openblas", "managed")]
    public string Provider { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split(' ');
        _ta = parts[0][0] == 'T'; _tb = parts[0][1] == 'T';
        var d = parts[1].Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (d[0], d[1], d[2]);
        _a = new float[_m * _k]; _b = new float[_k * _n]; _c = new float[_m * _n];
        var rng = new Rng(1);
        rng.FillUniform(_a, -1, 1); rng.FillUniform(_b, -1, 1);
        _provider = Provider == "managed" ? GemmProviders.Managed
            : GemmProviders.TryNative() ?? throw new InvalidOperationException(GemmProviders.NativeUnavailableReason);
    }

    [Benchmark]
    public void Sgemm() => _provider.Sgemm(_ta, _tb, _m, _n, _k, 1f, _a, _ta ? _m : _k, _b, _tb ? _k : _n, 0f, _c, _n);
}
