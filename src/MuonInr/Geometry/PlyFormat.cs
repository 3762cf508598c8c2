using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MuonInr.Geometry;

/// <summary>
/// Stanford PLY in ascii, binary_little_endian and binary_big_endian. The <c>vertex</c> element must have
/// scalar x, y, z properties (any numeric type; other properties are skipped); the <c>face</c> element a
/// list property <c>vertex_indices</c> or <c>vertex_index</c> (any count and index integer types; other
/// face properties are skipped). Other elements are parsed past and dropped. ASCII bodies are read as a
/// stream of whitespace-separated values (records need not follow line breaks).
/// </summary>
internal static class PlyFormat
{
    private enum Encoding { Ascii, LittleEndian, BigEndian }

    private enum Scalar { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 }

    private sealed record Property(string Name, Scalar Type, Scalar? CountType);

    private sealed record Element(string Name, long Count, List<Property> Properties);

    private const int MaxHeaderBytes = 1 << 20;

    public static TriangleMesh Parse(ReadOnlySpan<byte> data, string name)
    {
        InvalidDataException Bad(string why) => new($"{name}: {why}.");
        var (encoding, elements, bodyStart) = ParseHeader(data, name);
        var body = data[bodyStart..];

        var vertexElement = elements.Find(e => e.Name == "vertex") ?? throw Bad("no 'element vertex' in the header");
        var faceElement = elements.Find(e => e.Name == "face") ?? throw Bad($"no 'element face' in the header ({vertexElement.Count} vertices but no faces); a mesh needs triangles");
        int[] xyz = new[] { "x", "y", "z" }.Select(axis =>
        {
            int i = vertexElement.Properties.FindIndex(p => p.Name == axis);
            if (i < 0) throw Bad($"element vertex has no property '{axis}'");
            if (vertexElement.Properties[i].CountType is not null) throw Bad($"vertex property '{axis}' is a list, expected a number");
            return i;
        }).ToArray();
        int indexProperty = faceElement.Properties.FindIndex(p => p.Name is "vertex_indices" or "vertex_index");
        if (indexProperty < 0) throw Bad("element face has no list property 'vertex_indices' (or 'vertex_index')");
        if (faceElement.Properties[indexProperty].CountType is null) throw Bad($"face property '{faceElement.Properties[indexProperty].Name}' is not a list");
        if (faceElement.Count == 0) throw Bad("the header declares 0 faces; a mesh needs at least one triangle");

        // A lying header fails here, before any allocation sized by it: every record takes at least
        // a few bytes (binary: its fixed fields and list counts; ascii: a digit and a separator per value).
        long minimum = 0;
        foreach (var e in elements)
        {
            long perRecord = encoding == Encoding.Ascii ? Math.Max(1, 2L * e.Properties.Count) : e.Properties.Sum(p => (long)Size(p.CountType ?? p.Type));
            minimum += e.Count * perRecord; // counts ≤ int.MaxValue and ≤ 2·256 properties: no overflow
            if (minimum > body.Length)
                throw Bad($"the header declares {e.Count} {e.Name} records; with the elements before them they need at least {minimum} bytes, but {body.Length} bytes follow the header (truncated, or a wrong count)");
        }
        if (vertexElement.Count > Array.MaxLength / 3) throw Bad($"{vertexElement.Count} vertices are more than this reader holds");

        var vertices = new float[3 * vertexElement.Count];
        var triangles = new List<int>();
        var reader = new BodyReader(body, encoding, name);
        var polygon = new List<long>();
        foreach (var e in elements)
        {
            bool isVertex = ReferenceEquals(e, vertexElement), isFace = ReferenceEquals(e, faceElement);
            if (!isVertex && !isFace && encoding != Encoding.Ascii && e.Properties.All(p => p.CountType is null))
            {
                reader.Skip(e.Count * e.Properties.Sum(p => (long)Size(p.Type)), e.Name); // fixed-size records: skip at once
                continue;
            }
            for (long r = 0; r < e.Count; r++)
            {
                for (int pi = 0; pi < e.Properties.Count; pi++)
                {
                    var p = e.Properties[pi];
                    if (p.CountType is { } countType)
                    {
                        double n = reader.Number(countType, e.Name, r, p.Name);
                        if (n < 0 || n != Math.Floor(n)) throw Bad($"{e.Name} {r}: list length {n} of '{p.Name}' is not a count");
                        bool indices = isFace && pi == indexProperty;
                        if (!indices) { reader.SkipValues(p.Type, (long)n, e.Name, r, p.Name); continue; }
                        reader.EnsureValues(p.Type, (long)n, e.Name, r, p.Name);
                        polygon.Clear();
                        for (long k = 0; k < (long)n; k++)
                        {
                            double v = reader.Number(p.Type, e.Name, r, p.Name);
                            if (v != Math.Floor(v)) throw Bad($"face {r}: vertex index {v.ToString(CultureInfo.InvariantCulture)} is not an integer");
                            if (v < 0 || v >= vertexElement.Count) throw Bad($"face {r} refers to vertex {v.ToString(CultureInfo.InvariantCulture)} but the file has {vertexElement.Count} vertices");
                            polygon.Add((long)v);
                        }
                        if (polygon.Count < 3) throw Bad($"face {r} has {polygon.Count} vertices; a face needs at least 3");
                        for (int k = 1; k + 1 < polygon.Count; k++)
                        {
                            triangles.Add((int)polygon[0]); triangles.Add((int)polygon[k]); triangles.Add((int)polygon[k + 1]);
                        }
                    }
                    else
                    {
                        double v = reader.Number(p.Type, e.Name, r, p.Name);
                        if (isVertex)
                        {
                            int axis = Array.IndexOf(xyz, pi);
                            if (axis >= 0)
                            {
                                if (!double.IsFinite(v)) throw Bad($"vertex {r}: coordinate {p.Name} is {v.ToString(CultureInfo.InvariantCulture)}, expected a finite number");
                                vertices[3 * r + axis] = (float)v;
                            }
                        }
                    }
                }
            }
        }
        return new TriangleMesh(vertices, [.. triangles]);
    }

    private static (Encoding, List<Element>, int BodyStart) ParseHeader(ReadOnlySpan<byte> data, string name)
    {
        InvalidDataException Bad(string why) => new($"{name}: {why}.");
        if (!data.StartsWith("ply\n"u8) && !data.StartsWith("ply\r\n"u8)) throw Bad("does not start with the 'ply' magic line");
        var window = data[..Math.Min(data.Length, MaxHeaderBytes)];
        int pos = 0, lineNo = 0;
        Encoding? encoding = null;
        var elements = new List<Element>();
        while (true)
        {
            int nl = window[pos..].IndexOf((byte)'\n');
            if (nl < 0) throw Bad(data.Length > MaxHeaderBytes ? "no end_header in the first 1 MB" : "the header has no end_header line (truncated?)");
            string line = System.Text.Encoding.ASCII.GetString(window.Slice(pos, nl)).Trim();
            pos += nl + 1;
            lineNo++;
            string[] w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (lineNo == 1 || w.Length == 0 || w[0] is "comment" or "obj_info") continue;
            switch (w[0])
            {
                case "end_header":
                    if (encoding is null) throw Bad("the header has no format line");
                    return (encoding.Value, elements, pos);
                case "format":
                    if (w.Length != 3 || w[2] != "1.0") throw Bad($"header line {lineNo}: expected 'format <encoding> 1.0', got '{Short(line)}'");
                    encoding = w[1] switch
                    {
                        "ascii" => Encoding.Ascii,
                        "binary_little_endian" => Encoding.LittleEndian,
                        "binary_big_endian" => Encoding.BigEndian,
                        _ => throw Bad($"header line {lineNo}: unknown encoding '{Short(w[1])}'; expected ascii, binary_little_endian or binary_big_endian"),
                    };
                    break;
                case "element":
                    if (w.Length != 3 || !long.TryParse(w[2], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                        throw Bad($"header line {lineNo}: expected 'element <name> <count>', got '{Short(line)}'");
                    if (count > int.MaxValue) throw Bad($"header line {lineNo}: element {w[1]} declares {count} records, more than this reader holds");
                    elements.Add(new Element(w[1], count, []));
                    break;
                case "property":
                    if (elements.Count == 0) throw Bad($"header line {lineNo}: property before any element");
                    var props = elements[^1].Properties;
                    if (props.Count >= 256) throw Bad($"header line {lineNo}: element {elements[^1].Name} has more than 256 properties");
                    if (w.Length == 5 && w[1] == "list")
                        props.Add(new Property(w[4], Type(w[3], lineNo, name), Type(w[2], lineNo, name)));
                    else if (w.Length == 3)
                        props.Add(new Property(w[2], Type(w[1], lineNo, name), null));
                    else throw Bad($"header line {lineNo}: expected 'property <type> <name>' or 'property list <count type> <type> <name>', got '{Short(line)}'");
                    if (props[^1].CountType is { } ct && ct is Scalar.Float32 or Scalar.Float64)
                        throw Bad($"header line {lineNo}: a list count must have an integer type, got {w[2]}");
                    break;
                default:
                    throw Bad($"header line {lineNo}: unexpected '{Short(w[0])}'");
            }
        }
    }

    private static string Short(string s) => s.Length > 40 ? s[..40] + "…" : s;

    private static Scalar Type(string t, int lineNo, string name) => t switch
    {
        "char" or "int8" => Scalar.Int8,
        "uchar" or "uint8" => Scalar.UInt8,
        "short" or "int16" => Scalar.Int16,
        "ushort" or "uint16" => Scalar.UInt16,
        "int" or "int32" => Scalar.Int32,
        "uint" or "uint32" => Scalar.UInt32,
        "float" or "float32" => Scalar.Float32,
        "double" or "float64" => Scalar.Float64,
        _ => throw new InvalidDataException($"{name}: header line {lineNo}: unknown property type '{Short(t)}'."),
    };

    private static int Size(Scalar s) => s switch
    {
        Scalar.Int8 or Scalar.UInt8 => 1,
        Scalar.Int16 or Scalar.UInt16 => 2,
        Scalar.Int32 or Scalar.UInt32 or Scalar.Float32 => 4,
        _ => 8,
    };

    /// <summary>Values of the body in order, binary or ascii; every read is bounds-checked.</summary>
    private ref struct BodyReader(ReadOnlySpan<byte> body, Encoding encoding, string name)
    {
        private readonly ReadOnlySpan<byte> _body = body;
        private int _pos;
        private int _line = 1; // ascii: body line of the next token (for messages)

        private readonly InvalidDataException Truncated(string element, long record, string property)
            => new($"{name}: {element} {record}: the file ends inside property '{property}' (truncated).");

        public double Number(Scalar type, string element, long record, string property)
        {
            if (encoding == Encoding.Ascii)
            {
                var tok = Token();
                if (tok.IsEmpty) throw Truncated(element, record, property);
                if (!double.TryParse(tok, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || (type < Scalar.Float32 && v != Math.Floor(v)))
                    throw new InvalidDataException($"{name}: {element} {record} (body line {_line}): '{System.Text.Encoding.UTF8.GetString(tok[..Math.Min(tok.Length, 40)])}' is not a valid {type} for property '{property}'.");
                return v;
            }
            int size = Size(type);
            if (_body.Length - _pos < size) throw Truncated(element, record, property);
            var s = _body.Slice(_pos, size);
            _pos += size;
            bool le = encoding == Encoding.LittleEndian;
            return type switch
            {
                Scalar.Int8 => (sbyte)s[0],
                Scalar.UInt8 => s[0],
                Scalar.Int16 => le ? BinaryPrimitives.ReadInt16LittleEndian(s) : BinaryPrimitives.ReadInt16BigEndian(s),
                Scalar.UInt16 => le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
                Scalar.Int32 => le ? BinaryPrimitives.ReadInt32LittleEndian(s) : BinaryPrimitives.ReadInt32BigEndian(s),
                Scalar.UInt32 => le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
                Scalar.Float32 => le ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadSingleBigEndian(s),
                _ => le ? BinaryPrimitives.ReadDoubleLittleEndian(s) : BinaryPrimitives.ReadDoubleBigEndian(s),
            };
        }

        /// <summary>Binary: fails now when <paramref name="count"/> values cannot fit in what is left (a lying list length).</summary>
        public readonly void EnsureValues(Scalar type, long count, string element, long record, string property)
        {
            if (encoding != Encoding.Ascii && count * Size(type) > _body.Length - _pos) throw Truncated(element, record, property);
        }

        public void SkipValues(Scalar type, long count, string element, long record, string property)
        {
            if (encoding == Encoding.Ascii) { for (long i = 0; i < count; i++) Number(type, element, record, property); return; }
            EnsureValues(type, count, element, record, property);
            _pos += (int)(count * Size(type));
        }

        public void Skip(long bytes, string element)
        {
            if (bytes > _body.Length - _pos) throw new InvalidDataException($"{name}: the file ends inside element {element} (truncated).");
            _pos += (int)bytes;
        }

        private ReadOnlySpan<byte> Token()
        {
            while (_pos < _body.Length && IsSpace(_body[_pos])) { if (_body[_pos] == '\n') _line++; _pos++; }
            int start = _pos;
            while (_pos < _body.Length && !IsSpace(_body[_pos])) _pos++;
            return _body[start.._pos];
        }

        private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or (byte)'\f' or (byte)'\v';
    }
}
