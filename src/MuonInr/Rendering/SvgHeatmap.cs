using System.Globalization;
using System.Net;
using System.Text;

namespace MuonInr.Rendering;

/// <summary>
/// A heatmap as an inline SVG: one cell per (row, column) value, coloured on a perceptual scale (viridis
/// anchors) between the finite minimum and maximum, each cell labelled with its value; missing or
/// non-finite cells are grey with "–". The best cell (max or min) is outlined.
/// </summary>
public sealed class SvgHeatmap
{
    /// <summary>Title above the map.</summary>
    public required string Title { get; init; }
    /// <summary>Row labels (top to bottom).</summary>
    public required IReadOnlyList<string> Rows { get; init; }
    /// <summary>Column labels (left to right).</summary>
    public required IReadOnlyList<string> Columns { get; init; }
    /// <summary>Values [row, column]; NaN = missing.</summary>
    public required double[,] Values { get; init; }
    /// <summary>Axis title of the rows.</summary>
    public string RowLabel { get; init; } = "";
    /// <summary>Axis title of the columns.</summary>
    public string ColumnLabel { get; init; } = "";
    /// <summary>Whether larger values are better (outlines the maximum; else the minimum).</summary>
    public bool HigherIsBetter { get; init; } = true;
    /// <summary>Format of the cell labels.</summary>
    public string Format { get; init; } = "F2";

    /// <summary>Renders the map.</summary>
    public string ToSvg()
    {
        var ci = CultureInfo.InvariantCulture;
        int nr = Rows.Count, nc = Columns.Count;
        const int cw = 64, ch = 30, left = 96, top = 44, bottom = 40;
        int width = left + nc * cw + 16, height = top + nr * ch + bottom;
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;
        (int R, int C) best = (-1, -1);
        for (int r = 0; r < nr; r++)
            for (int c = 0; c < nc; c++)
            {
                double v = Values[r, c];
                if (!double.IsFinite(v)) continue;
                lo = Math.Min(lo, v); hi = Math.Max(hi, v);
                if (best.R < 0 || (HigherIsBetter ? v > Values[best.R, best.C] : v < Values[best.R, best.C])) best = (r, c);
            }
        var sb = new StringBuilder();
        sb.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(ci, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        sb.Append(ci, $"<text x=\"{width / 2.0:F1}\" y=\"17\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">{Esc(Title)}</text>");
        sb.Append(ci, $"<text x=\"{left + nc * cw / 2.0:F1}\" y=\"34\" text-anchor=\"middle\">{Esc(ColumnLabel)}</text>");
        sb.Append(ci, $"<text transform=\"translate(12,{top + nr * ch / 2.0:F1}) rotate(-90)\" text-anchor=\"middle\">{Esc(RowLabel)}</text>");
        for (int r = 0; r < nr; r++)
        {
            sb.Append(ci, $"<text x=\"{left - 6}\" y=\"{top + r * ch + ch / 2 + 4}\" text-anchor=\"end\">{Esc(Rows[r])}</text>");
            for (int c = 0; c < nc; c++)
            {
                double v = Values[r, c];
                bool ok = double.IsFinite(v);
                double t = ok && hi > lo ? (v - lo) / (hi - lo) : 0.5;
                var (cr, cg, cb) = Viridis(t);
                string fill = ok ? string.Create(ci, $"rgb({(int)(cr * 255)},{(int)(cg * 255)},{(int)(cb * 255)})") : "#ccc";
                int x = left + c * cw, y = top + r * ch;
                sb.Append(ci, $"<rect class=\"cell\" x=\"{x}\" y=\"{y}\" width=\"{cw}\" height=\"{ch}\" fill=\"{fill}\" stroke=\"white\"/>");
                string text = ok ? v.ToString(Format, ci) : "–";
                string color = ok && t > 0.55 ? "#000" : ok ? "#fff" : "#555";
                sb.Append(ci, $"<text x=\"{x + cw / 2}\" y=\"{y + ch / 2 + 4}\" text-anchor=\"middle\" fill=\"{color}\">{text}</text>");
            }
        }
        if (best.R >= 0)
            sb.Append(ci, $"<rect x=\"{left + best.C * cw + 1}\" y=\"{top + best.R * ch + 1}\" width=\"{cw - 2}\" height=\"{ch - 2}\" fill=\"none\" stroke=\"#e41a1c\" stroke-width=\"3\"/>");
        for (int c = 0; c < nc; c++)
            sb.Append(ci, $"<text x=\"{left + c * cw + cw / 2}\" y=\"{top + nr * ch + 14}\" text-anchor=\"middle\">{Esc(Columns[c])}</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>Viridis, piecewise linear through five anchors.</summary>
    public static (double R, double G, double B) Viridis(double t)
    {
        ReadOnlySpan<double> a = [0.267, 0.005, 0.329, 0.229, 0.322, 0.546, 0.128, 0.567, 0.551, 0.369, 0.789, 0.383, 0.993, 0.906, 0.144];
        double f = Math.Clamp(t, 0, 1) * 4; int k = Math.Min(3, (int)f); double u = f - k;
        return (a[k * 3] + u * (a[k * 3 + 3] - a[k * 3]), a[k * 3 + 1] + u * (a[k * 3 + 4] - a[k * 3 + 1]), a[k * 3 + 2] + u * (a[k * 3 + 5] - a[k * 3 + 2]));
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
