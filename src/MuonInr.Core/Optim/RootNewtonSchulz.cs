using System.Reflection;
using System.Text.Json;

namespace MuonInr.Optim;

/// <summary>
/// ROOT's dimension-robust orthogonalization (He et al. 2025, arXiv 2511.20626): quintic Newton–Schulz
/// with coefficients fitted per matrix size. After X / ‖X‖_F the singular values of an n-wide momentum
/// sit nearer 0 the larger n is, where one fixed polynomial (NS5) is least accurate. Our coefficients
/// (<c>RootCoefficients.json</c>, fitted by <c>tools/fit_root_coefficients.py</c> for n = 32 … 512 on
/// Marchenko–Pastur and power-law spectra) halve NS5's RMS deviation of the singular values from 1
/// (e.g. 0.10 vs 0.21 at n = 128). A matrix uses the set of the size nearest to min(rows, cols) on a log scale.
/// </summary>
public sealed class RootNewtonSchulz : IOrthogonalizer
{
    private static readonly Lazy<IReadOnlyList<(int Size, (double A, double B, double C)[] Coefficients)>> Table = new(Load);
    private readonly Dictionary<int, NewtonSchulz> _bySize = [];

    /// <inheritdoc />
    public string Name => "root-ns";

    /// <summary>The fitted sizes and their per-step coefficients.</summary>
    public static IReadOnlyList<(int Size, (double A, double B, double C)[] Coefficients)> Coefficients => Table.Value;

    /// <summary>The fitted size used for a rows × cols matrix.</summary>
    public static int SizeFor(int rows, int cols)
    {
        double n = Math.Log(Math.Max(1, Math.Min(rows, cols)));
        return Table.Value.MinBy(e => Math.Abs(Math.Log(e.Size) - n)).Size;
    }

    /// <inheritdoc />
    public void Orthogonalize(ReadOnlySpan<float> input, int rows, int cols, Span<float> output)
        => For(rows, cols).Orthogonalize(input, rows, cols, output);

    /// <inheritdoc />
    public void OrthogonalizeBatch(ReadOnlySpan<float> input, int count, int rows, int cols, Span<float> output)
        => For(rows, cols).OrthogonalizeBatch(input, count, rows, cols, output);

    private NewtonSchulz For(int rows, int cols)
    {
        int size = SizeFor(rows, cols);
        if (!_bySize.TryGetValue(size, out var ns))
            _bySize[size] = ns = new NewtonSchulz("root-ns", Table.Value.First(e => e.Size == size).Coefficients);
        return ns;
    }

    private static IReadOnlyList<(int, (double, double, double)[])> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("MuonInr.RootCoefficients.json")
            ?? throw new InvalidOperationException("The embedded RootCoefficients.json is missing from MuonInr.Core.");
        using var doc = JsonDocument.Parse(stream);
        var list = new List<(int, (double, double, double)[])>();
        foreach (var p in doc.RootElement.GetProperty("sizes").EnumerateObject())
        {
            var rows = p.Value.GetProperty("coefficients").EnumerateArray()
                .Select(r => { var v = r.EnumerateArray().Select(x => x.GetDouble()).ToArray(); return (v[0], v[1], v[2]); }).ToArray();
            list.Add((int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), rows));
        }
        return list.OrderBy(e => e.Item1).ToList();
    }
}
