using MuonInr.Rendering;

namespace MuonInr.Tasks;

/// <summary>A section a task contributes to report.html: a heading, optional text, charts and PNG images.</summary>
public sealed record ReportSection(string Heading)
{
    /// <summary>Text under the heading, or null.</summary>
    public string? Paragraph { get; init; }
    /// <summary>Charts (inline SVG).</summary>
    public IReadOnlyList<SvgLineChart> Charts { get; init; } = [];
    /// <summary>Images (caption, PNG bytes).</summary>
    public IReadOnlyList<(string Caption, byte[] Png)> Images { get; init; } = [];
}

/// <summary>What a task writes for one run or a comparison: files in the run directory and report sections.</summary>
public sealed class TaskArtifacts
{
    /// <summary>Files (name in the run directory, bytes).</summary>
    public List<(string Name, byte[] Bytes)> Files { get; } = [];
    /// <summary>Report sections, shown after the result table.</summary>
    public List<ReportSection> Sections { get; } = [];
}
