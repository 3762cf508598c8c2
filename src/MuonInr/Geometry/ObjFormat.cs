using System.Globalization;

namespace MuonInr.Geometry;

/// <summary>
/// Wavefront OBJ positions and faces: <c>v x y z [w]</c> lines and <c>f</c> lines whose vertices are
/// <c>v</c>, <c>v/vt</c>, <c>v//vn</c> or <c>v/vt/vn</c>, with 1-based indices or negative ones relative to
/// the vertices read so far (−1 the last). Every other statement is ignored. Parsed from the bytes,
/// line by line, without decoding the file to a string.
/// </summary>
internal static class ObjFormat
{
    public static TriangleMesh Parse(ReadOnlySpan<byte> data, string name)
    {
        var vertices = new List<float>();
        var triangles = new List<int>();
        var triangleLines = new List<int>(); // source line of each triangle, for range errors
        var polygon = new List<int>();
        int lineNo = 0;
        while (!data.IsEmpty)
        {
            int nl = data.IndexOf((byte)'\n');
            var line = nl >= 0 ? data[..nl] : data;
            data = nl >= 0 ? data[(nl + 1)..] : default;
            lineNo++;
            line = line.Trim(" \t\r\f\v"u8);
            if (line.IsEmpty || line[0] == '#') continue;
            var keyword = NextToken(ref line);
            if (keyword.SequenceEqual("v"u8))
            {
                for (int k = 0; k < 3; k++)
                {
                    var tok = NextToken(ref line);
                    if (tok.IsEmpty) throw new InvalidDataException($"{name}: line {lineNo}: a vertex needs 3 coordinates, got {k}.");
                    if (!double.TryParse(tok, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x))
                        throw new InvalidDataException($"{name}: line {lineNo}: vertex coordinate '{Text(tok)}' is not a finite number.");
                    vertices.Add((float)x);
                }
            }
            else if (keyword.SequenceEqual("f"u8))
            {
                polygon.Clear();
                int defined = vertices.Count / 3;
                for (var tok = NextToken(ref line); !tok.IsEmpty; tok = NextToken(ref line))
                {
                    int slash = tok.IndexOf((byte)'/');
                    var index = slash >= 0 ? tok[..slash] : tok;
                    if (!int.TryParse(index, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i) || i == 0)
                        throw new InvalidDataException($"{name}: line {lineNo}: face vertex '{Text(tok)}' does not start with a vertex index (1-based, or negative from the end).");
                    if (i < 0)
                    {
                        if (-(long)i > defined) throw new InvalidDataException($"{name}: line {lineNo}: face vertex {i} reaches before the first vertex ({defined} defined so far).");
                        polygon.Add(defined + i);
                    }
                    else polygon.Add(i - 1);
                }
                if (polygon.Count < 3) throw new InvalidDataException($"{name}: line {lineNo}: a face needs at least 3 vertices, got {polygon.Count}.");
                for (int k = 1; k + 1 < polygon.Count; k++)
                {
                    triangles.Add(polygon[0]); triangles.Add(polygon[k]); triangles.Add(polygon[k + 1]);
                    triangleLines.Add(lineNo);
                }
            }
        }
        int count = vertices.Count / 3;
        if (triangles.Count == 0) throw new InvalidDataException($"{name}: no faces ({count} vertices); a mesh needs at least one triangle.");
        // Positive indices may in principle point forwards, so ranges are checked once all vertices are known.
        for (int i = 0; i < triangles.Count; i++)
            if (triangles[i] >= count)
                throw new InvalidDataException($"{name}: line {triangleLines[i / 3]}: face refers to vertex {triangles[i] + 1} but the file has {count} vertices.");
        return new TriangleMesh([.. vertices], [.. triangles]);
    }

    private static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> s)
    {
        s = s.TrimStart(" \t\r\f\v"u8);
        int end = s.IndexOfAny(" \t\r\f\v"u8);
        var tok = end >= 0 ? s[..end] : s;
        s = end >= 0 ? s[end..] : default;
        return tok;
    }

    private static string Text(ReadOnlySpan<byte> tok)
        => System.Text.Encoding.UTF8.GetString(tok.Length > 40 ? tok[..40] : tok);
}
