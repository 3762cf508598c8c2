using System.Globalization;
using System.Net;
using System.Text;

namespace MuonInr.Rendering;

/// <summary>One named series of (x, y) points.</summary>
/// <param name="Name">Legend label.</param>
/// <param name="X">X values (ascending).</param>
/// <param name="Y">Y values; non-finite values break the line.</param>
/// <param name="Dashed">Draw dashed (e.g. the second optimizer in a comparison).</param>
/// <param name="Color">CSS colour; null picks from the palette.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false, string? Color = null);

/// <summary>
/// A self-contained SVG line chart (axes, ticks, grid, legend, optional log y axis) for report.html:
/// no external assets, no scripts.
/// </summary>
public sealed class SvgLineChart
{
    private static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Chart title.</summary>
    public required string Title { get; init; }
    /// <summary>X axis label.</summary>
    public string XLabel { get; init; } = "";
    /// <summary>Y axis label.</summary>
    public string YLabel { get; init; } = "";
    /// <summary>Logarithmic y axis (non-positive values are skipped).</summary>
    public bool LogY { get; init; }
    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 560;
    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 320;
    /// <summary>The series to draw.</summary>
    public List<ChartSeries> Series { get; } = [];

    /// <summary>Palette colour <paramref name="i"/> (cycled).</summary>
    public static string ColorAt(int i) => Palette[((i % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>Renders the chart as an &lt;svg&gt; element.</summary>
    public string ToSvg()
    {
        var ci = CultureInfo.InvariantCulture;
        const double left = 62, right = 16, top = 28, bottom = 44;
        double pw = Width - left - right, ph = Height - top - bottom;
        double Ty(double y) => LogY ? Math.Log10(y) : y;
        bool Usable(double x, double y) => double.IsFinite(x) && double.IsFinite(y) && (!LogY || y > 0);

        double xmin = double.PositiveInfinity, xmax = double.NegativeInfinity, ymin = double.PositiveInfinity, ymax = double.NegativeInfinity;
        foreach (var s in Series)
            for (int i = 0; i < Math.Min(s.X.Count, s.Y.Count); i++)
            {
                if (!Usable(s.X[i], s.Y[i])) continue;
                xmin = Math.Min(xmin, s.X[i]); xmax = Math.Max(xmax, s.X[i]);
                ymin = Math.Min(ymin, Ty(s.Y[i])); ymax = Math.Max(ymax, Ty(s.Y[i]));
            }
        var sb = new StringBuilder();
        sb.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(ci, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        sb.Append(ci, $"<text x=\"{Width / 2.0:F1}\" y=\"17\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Esc(Title)}</text>");
        if (!double.IsFinite(xmin))
        {
            sb.Append(ci, $"<text x=\"{Width / 2.0:F1}\" y=\"{Height / 2.0:F1}\" text-anchor=\"middle\" fill=\"#888\">no data</text></svg>");
            return sb.ToString();
        }
        if (xmax == xmin) { xmin -= 0.5; xmax += 0.5; }
        if (ymax == ymin) { ymin -= 0.5; ymax += 0.5; }
        double pad = (ymax - ymin) * 0.05; ymin -= pad; ymax += pad;
        double Px(double x) => left + (x - xmin) / (xmax - xmin) * pw;
        double Py(double y) => top + (1 - (Ty(y) - ymin) / (ymax - ymin)) * ph;

        // Grid and ticks.
        sb.Append(ci, $"<rect x=\"{left}\" y=\"{top}\" width=\"{pw:F1}\" height=\"{ph:F1}\" fill=\"none\" stroke=\"#444\"/>");
        foreach (double t in NiceTicks(xmin, xmax, 6))
        {
            double px = left + (t - xmin) / (xmax - xmin) * pw;
            sb.Append(ci, $"<line x1=\"{px:F1}\" y1=\"{top}\" x2=\"{px:F1}\" y2=\"{top + ph:F1}\" stroke=\"#eee\"/>");
            sb.Append(ci, $"<text x=\"{px:F1}\" y=\"{top + ph + 14:F1}\" text-anchor=\"middle\">{Fmt(t)}</text>");
        }
        foreach (double t in NiceTicks(ymin, ymax, 5))
        {
            double py = top + (1 - (t - ymin) / (ymax - ymin)) * ph;
            sb.Append(ci, $"<line x1=\"{left}\" y1=\"{py:F1}\" x2=\"{left + pw:F1}\" y2=\"{py:F1}\" stroke=\"#eee\"/>");
            sb.Append(ci, $"<text x=\"{left - 4}\" y=\"{py + 4:F1}\" text-anchor=\"end\">{Fmt(LogY ? Math.Pow(10, t) : t)}</text>");
        }
        sb.Append(ci, $"<text x=\"{left + pw / 2:F1}\" y=\"{Height - 6}\" text-anchor=\"middle\">{Esc(XLabel)}</text>");
        sb.Append(ci, $"<text transform=\"translate(14,{top + ph / 2:F1}) rotate(-90)\" text-anchor=\"middle\">{Esc(YLabel)}{(LogY ? " (log)" : "")}</text>");

        // Lines, broken at unusable points.
        for (int si = 0; si < Series.Count; si++)
        {
            var s = Series[si];
            string color = s.Color ?? ColorAt(si);
            var path = new StringBuilder();
            bool pen = false;
            for (int i = 0; i < Math.Min(s.X.Count, s.Y.Count); i++)
            {
                if (!Usable(s.X[i], s.Y[i])) { pen = false; continue; }
                path.Append(ci, $"{(pen ? 'L' : 'M')}{Px(s.X[i]):F1},{Py(s.Y[i]):F1} ");
                pen = true;
            }
            if (path.Length > 0)
                sb.Append(ci, $"<path d=\"{path.ToString().TrimEnd()}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\"{(s.Dashed ? " stroke-dasharray=\"5,3\"" : "")}/>");
        }
        // Legend.
        for (int si = 0; si < Series.Count; si++)
        {
            var s = Series[si];
            double ly = top + 8 + si * 14;
            double lx = left + pw - 150;
            sb.Append(ci, $"<line x1=\"{lx:F1}\" y1=\"{ly:F1}\" x2=\"{lx + 18:F1}\" y2=\"{ly:F1}\" stroke=\"{s.Color ?? ColorAt(si)}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"5,3\"" : "")}/>");
            sb.Append(ci, $"<text x=\"{lx + 22:F1}\" y=\"{ly + 4:F1}\">{Esc(s.Name)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Round tick positions covering [lo, hi].</summary>
    public static IEnumerable<double> NiceTicks(double lo, double hi, int target)
    {
        double span = hi - lo;
        if (!(span > 0) || !double.IsFinite(span)) yield break;
        double raw = span / Math.Max(1, target);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 2.5, 5.0, 10.0 }.Select(m => m * mag).First(s => s >= raw);
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step)
            yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    private static string Fmt(double v)
    {
        double a = Math.Abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) return v.ToString("0.#e0", CultureInfo.InvariantCulture);
        return v.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
