using System.Net;
using System.Text;

namespace MuonInr.Rendering;

/// <summary>
/// Builds one self-contained HTML page (inline CSS, inline SVG charts, PNG images as data URIs; no
/// scripts, no external assets) from sections of tables, images and charts.
/// </summary>
public sealed class HtmlReport
{
    private readonly StringBuilder _body = new();

    /// <summary>Creates a report with a page title.</summary>
    public HtmlReport(string title) => Title = title;

    /// <summary>Page title.</summary>
    public string Title { get; }

    /// <summary>Adds a section heading.</summary>
    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(Esc(text)).Append("</h2>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Esc(text)).Append("</p>\n");
        return this;
    }

    /// <summary>Adds a table with a header row.</summary>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><thead><tr>");
        foreach (var h in header) _body.Append("<th>").Append(Esc(h)).Append("</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var c in row) _body.Append("<td>").Append(Esc(c)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>Adds a two-column key/value table.</summary>
    public HtmlReport KeyValues(IEnumerable<(string Key, string Value)> items)
        => Table(["", ""], items.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]));

    /// <summary>Adds PNG images side by side with captions.</summary>
    public HtmlReport Images(IEnumerable<(string Caption, byte[] Png)> images)
    {
        _body.Append("<div class=\"row\">");
        foreach (var (caption, png) in images)
        {
            _body.Append("<figure><img alt=\"").Append(Esc(caption)).Append("\" src=\"data:image/png;base64,")
                 .Append(Convert.ToBase64String(png)).Append("\"/><figcaption>").Append(Esc(caption)).Append("</figcaption></figure>");
        }
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>Adds charts side by side.</summary>
    public HtmlReport Charts(params SvgLineChart[] charts)
    {
        _body.Append("<div class=\"row\">");
        foreach (var c in charts) _body.Append("<div class=\"chart\">").Append(c.ToSvg()).Append("</div>");
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>Adds ready-made SVG elements (e.g. <see cref="SvgHeatmap"/>) side by side.</summary>
    public HtmlReport Svgs(params string[] svgs)
    {
        _body.Append("<div class=\"row\">");
        foreach (var svg in svgs) _body.Append("<div class=\"chart\">").Append(svg).Append("</div>");
        _body.Append("</div>\n");
        return this;
    }

    /// <summary>Adds a table whose cells may link to a relative path (reports of runs beside this page).</summary>
    public HtmlReport LinkTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<(string Text, string? Href)>> rows)
    {
        _body.Append("<table><tr>");
        foreach (var h in header) _body.Append("<th>").Append(Esc(h)).Append("</th>");
        _body.Append("</tr>");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var (text, href) in row)
            {
                _body.Append("<td>");
                if (href is null) _body.Append(Esc(text));
                else _body.Append("<a href=\"").Append(Esc(href)).Append("\">").Append(Esc(text)).Append("</a>");
                _body.Append("</td>");
            }
            _body.Append("</tr>");
        }
        _body.Append("</table>\n");
        return this;
    }

    /// <summary>The complete page.</summary>
    public string ToHtml()
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>").Append(Esc(Title)).Append("</title>\n");
        sb.Append("<style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1300px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}");
        sb.Append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}th{background:#f4f4f4}");
        sb.Append(".row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}figure{margin:0}figure img{max-width:100%;image-rendering:pixelated;border:1px solid #ccc}");
        sb.Append("figcaption{font-size:12px;color:#555;text-align:center}.chart{border:1px solid #eee}</style></head>\n<body>\n");
        sb.Append("<h1>").Append(Esc(Title)).Append("</h1>\n");
        sb.Append(_body);
        sb.Append("<p style=\"color:#888;font-size:11px\">Generated by MuonInr.</p>\n</body></html>\n");
        return sb.ToString();
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
