using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>
/// Reads and writes the safetensors layout: an 8-byte little-endian header size, a JSON header mapping
/// each name to {dtype, shape, data_offsets} (plus optional "__metadata__" strings), then the raw
/// little-endian data. Only F32 is written; F32, F64 and F16/BF16 are read (converted to float32).
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest JSON header accepted (the reference implementation's cap).</summary>
    public const long MaxHeaderBytes = 100L << 20;

    /// <summary>
    /// Writes <paramref name="tensors"/> (sorted by name) to <paramref name="path"/> through a temporary
    /// file and a rename, so an interrupted save never leaves a truncated checkpoint behind. Refuses to
    /// replace an existing file unless <paramref name="overwrite"/> is true.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null, bool overwrite = false)
    {
        if (!overwrite && File.Exists(path))
            throw new IOException($"Refusing to overwrite existing file '{path}'.");
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        using var headerStream = new MemoryStream();
        using (var w = new Utf8JsonWriter(headerStream))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name];
                w.WriteStartObject(name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (int d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += (long)t.Length * 4;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 so the data is aligned (allowed by the format).
        int pad = (int)((8 - headerStream.Length % 8) % 8);
        for (int i = 0; i < pad; i++) headerStream.WriteByte((byte)' ');

        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteInt64LittleEndian(len, headerStream.Length);
                fs.Write(len);
                headerStream.Position = 0;
                headerStream.CopyTo(fs);
                foreach (var name in names) WriteFloats(fs, tensors[name].Span);
            }
            File.Move(tmp, full, overwrite);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static void WriteFloats(Stream s, ReadOnlySpan<float> data)
    {
        if (BitConverter.IsLittleEndian) { s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data)); return; }
        Span<byte> b = stackalloc byte[4];
        foreach (float f in data) { BinaryPrimitives.WriteSingleLittleEndian(b, f); s.Write(b); }
    }

    /// <summary>
    /// Reads every tensor of a safetensors file (the caller owns and disposes the tensors). A file that is
    /// not a valid safetensors file throws <see cref="InvalidDataException"/> with one line naming the
    /// file, the tensor and the offending value; see <see cref="Load(string, out Dictionary{string, string})"/>.
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>
    /// Reads every tensor and the "__metadata__" strings of a safetensors file. The whole header is
    /// validated before any tensor is allocated: the header size fits the file and <see cref="MaxHeaderBytes"/>;
    /// the header is a JSON object of objects; each tensor has a supported dtype, a shape of non-negative
    /// 32-bit dimensions whose product does not overflow, and data_offsets of exactly two non-negative
    /// integers [begin, end] with end − begin = element count × dtype size; and the tensors cover the data
    /// section exactly, without overlaps, holes or trailing bytes (the format requires a fully indexed
    /// byte buffer). Any violation throws <see cref="InvalidDataException"/> with a one-line message.
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        // The file's real length bounds every allocation below; claims inside the file are checked against it.
        long fileLength = new FileInfo(path).Length;
        if (fileLength > Array.MaxLength)
            throw Corrupt(path, $"its size of {fileLength} bytes exceeds the {Array.MaxLength} bytes this loader reads");
        return Load(File.ReadAllBytes(path), path, out metadata);
    }

    /// <summary>
    /// Decodes a safetensors image held in memory; <paramref name="source"/> names it in error messages.
    /// Same validation and exceptions as <see cref="Load(string, out Dictionary{string, string})"/>.
    /// </summary>
    internal static Dictionary<string, Tensor> Load(byte[] bytes, string source, out Dictionary<string, string> metadata)
    {
        var entries = ParseHeader(bytes, source, out metadata, out long dataStart);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var e in entries)
            {
                var t = Tensor.Unscoped(e.Shape);
                result[e.Name] = t;
                Decode(bytes.AsSpan(checked((int)(dataStart + e.Begin)), checked((int)(e.End - e.Begin))), e.Size, e.DType, t.Span);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private readonly record struct Entry(string Name, string DType, int Size, int[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(byte[] bytes, string path, out Dictionary<string, string> metadata, out long dataStart)
    {
        metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (bytes.Length < 8) throw Corrupt(path, $"its {bytes.Length} bytes are shorter than the 8-byte header size");
        long headerLen = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        long room = bytes.Length - 8L;
        if (headerLen < 2 || headerLen > Math.Min(MaxHeaderBytes, room))
            throw Corrupt(path, $"header size {headerLen} is outside [2, {Math.Min(MaxHeaderBytes, room)}] (file of {bytes.Length} bytes, cap {MaxHeaderBytes})");
        dataStart = 8 + headerLen;
        long dataLength = bytes.Length - dataStart;

        // JsonDocument does not validate UTF-8 inside strings until a string is read; check it up front.
        var header = bytes.AsMemory(8, (int)headerLen);
        if (!System.Text.Unicode.Utf8.IsValid(header.Span))
            throw Corrupt(path, $"its JSON header is not valid UTF-8 (header byte {FirstInvalidUtf8(header.Span)})");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw Corrupt(path, "its JSON header does not parse: " + OneLine(e.Message));
        }
        var entries = new List<Entry>();
        using var disposeDoc = doc;
        try
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Corrupt(path, $"its JSON header is a {root.ValueKind}, not an object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in root.EnumerateObject())
            {
                string name = entry.Name;
                if (!names.Add(name)) throw Corrupt(path, $"tensor {Quote(name)} appears twice in the header");
                var value = entry.Value;
                if (name == "__metadata__")
                {
                    if (value.ValueKind != JsonValueKind.Object)
                        throw Corrupt(path, $"\"__metadata__\" is a {value.ValueKind}, not an object of strings");
                    foreach (var m in value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw Corrupt(path, $"metadata {Quote(m.Name)} is a {m.Value.ValueKind}, not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, name, value, dataLength));
            }
        }
        catch (InvalidOperationException e)
        {
            // A JsonElement accessor refusing its text, e.g. an escaped lone surrogate in a name.
            throw Corrupt(path, "its JSON header holds unreadable text: " + OneLine(e.Message));
        }
        CheckCoverage(path, entries, dataLength);
        return entries;
    }

    private static Entry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string tensor = "tensor " + Quote(name);
        if (value.ValueKind != JsonValueKind.Object) throw Corrupt(path, $"{tensor} is a {value.ValueKind}, not an object");
        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw Corrupt(path, $"{tensor} has no string \"dtype\" (got {Describe(value, "dtype")})");
        string dtype = dtypeEl.GetString()!;
        int size = dtype switch
        {
            "F32" => 4, "F64" => 8, "F16" or "BF16" => 2,
            _ => throw Corrupt(path, $"{tensor} has unsupported dtype {Quote(dtype)} (supported: F32, F64, F16, BF16)"),
        };
        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw Corrupt(path, $"{tensor} has no array \"shape\" (got {Describe(value, "shape")})");
        var shape = new int[shapeEl.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
                throw Corrupt(path, $"{tensor} has shape dimension {Raw(d)}, not a non-negative 32-bit integer");
            shape[i++] = dim;
            try { count = checked(count * dim); }
            catch (OverflowException) { throw Corrupt(path, $"{tensor} has shape {Tensor.ShapeString(shape)} whose element count overflows"); }
        }
        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw Corrupt(path, $"{tensor} has data_offsets {Describe(value, "data_offsets")}, not a pair [begin, end]");
        var offs = new long[2];
        i = 0;
        foreach (var o in offEl.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out long v) || v < 0)
                throw Corrupt(path, $"{tensor} has data offset {Raw(o)}, not a non-negative integer");
            offs[i++] = v;
        }
        long begin = offs[0], end = offs[1];
        if (begin > end) throw Corrupt(path, $"{tensor} has data_offsets [{begin}, {end}] with begin after end");
        if (end > dataLength) throw Corrupt(path, $"{tensor} ends at data offset {end}, beyond the {dataLength}-byte data section");
        // count ≤ end − begin ≤ dataLength after this check, so it also bounds the allocation.
        long bytesNeeded;
        try { bytesNeeded = checked(count * size); }
        catch (OverflowException) { bytesNeeded = -1; }
        if (bytesNeeded != end - begin)
            throw Corrupt(path, $"{tensor} has data_offsets [{begin}, {end}] ({end - begin} bytes) but {dtype} shape {Tensor.ShapeString(shape)} needs {(bytesNeeded < 0 ? "more than 2^63" : bytesNeeded.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes");
        return new Entry(name, dtype, size, shape, begin, end);
    }

    // The format requires the data section to be fully indexed: sorted by begin, each tensor starts where
    // the previous one ends and the last ends at the end of the file. This also rules out overlaps.
    private static void CheckCoverage(string path, List<Entry> entries, long dataLength)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expected = 0;
        string? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < expected)
                throw Corrupt(path, $"tensor {Quote(e.Name)} at data_offsets [{e.Begin}, {e.End}] overlaps tensor {Quote(previous!)} ending at {expected}");
            if (e.Begin > expected)
                throw Corrupt(path, $"tensor {Quote(e.Name)} begins at data offset {e.Begin}, leaving a hole after offset {expected}{(previous is null ? "" : $" (end of tensor {Quote(previous)})")}");
            expected = e.End;
            previous = e.Name;
        }
        if (expected != dataLength)
            throw Corrupt(path, $"its tensors cover {expected} of the {dataLength} data bytes{(previous is null ? "" : $" (last tensor {Quote(previous)} ends at {expected})")}");
    }

    private static void Decode(ReadOnlySpan<byte> src, int size, string dtype, Span<float> dst)
    {
        if (dtype == "F32" && BitConverter.IsLittleEndian)
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
            return;
        }
        for (int i = 0; i < dst.Length; i++)
        {
            var s = src[(i * size)..];
            dst[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(s),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(s),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s) << 16),
            };
        }
    }

    // Messages stay on one line and bounded whatever a hostile header holds.
    private static string Quote(string s)
    {
        var sb = new StringBuilder("'");
        foreach (char c in s.Length > 80 ? s[..80] : s)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        if (s.Length > 80) sb.Append("...");
        return sb.Append('\'').ToString();
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && Rune.DecodeFromUtf8(s[i..], out _, out int used) == System.Buffers.OperationStatus.Done) i += used;
        return i;
    }

    private static string Raw(JsonElement e) => OneLine(e.GetRawText());

    private static string Describe(JsonElement obj, string property)
        => obj.TryGetProperty(property, out var v) ? Raw(v) : "nothing";

    private static string OneLine(string s)
    {
        var sb = new StringBuilder(Math.Min(s.Length, 120));
        foreach (char c in s.Length > 120 ? s[..120] : s) sb.Append(char.IsControl(c) ? ' ' : c);
        if (s.Length > 120) sb.Append("...");
        return sb.ToString();
    }

    private static InvalidDataException Corrupt(string path, string why)
        => new($"Checkpoint '{path}' is not a valid safetensors file: {why}.");
}
