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
    private const long MaxHeaderBytes = 100L << 20;

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

    /// <summary>Reads every tensor of a safetensors file (the caller owns and disposes the tensors).</summary>
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    /// <summary>Reads every tensor and the "__metadata__" strings of a safetensors file.</summary>
    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        metadata = new Dictionary<string, string>();
        if (bytes.Length < 8) throw Corrupt(path, "shorter than the 8-byte header size");
        long headerLen = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLen <= 0 || headerLen > MaxHeaderBytes || 8 + headerLen > bytes.Length)
            throw Corrupt(path, $"header size {headerLen} does not fit the file of {bytes.Length} bytes");
        long dataStart = 8 + headerLen;
        var result = new Dictionary<string, Tensor>();
        try
        {
            using var doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLen));
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__")
                {
                    foreach (var m in entry.Value.EnumerateObject()) metadata[m.Name] = m.Value.GetString() ?? "";
                    continue;
                }
                if (result.ContainsKey(entry.Name)) throw Corrupt(path, $"tensor '{entry.Name}' appears twice in the header");
                string dtype = entry.Value.GetProperty("dtype").GetString() ?? "";
                var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                var offs = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                int size = dtype switch { "F32" => 4, "F64" => 8, "F16" or "BF16" => 2, _ => throw Corrupt(path, $"tensor '{entry.Name}' has unsupported dtype {dtype}") };
                long count = 1;
                foreach (int d in shape) { if (d < 0) throw Corrupt(path, $"tensor '{entry.Name}' has a negative dimension"); count *= d; }
                if (offs.Length != 2 || offs[1] - offs[0] != count * size || offs[0] < 0 || dataStart + offs[1] > bytes.Length)
                    throw Corrupt(path, $"tensor '{entry.Name}' has data offsets [{string.Join(", ", offs)}] inconsistent with {dtype} shape {Tensor.ShapeString(shape)}");
                var t = Tensor.Zeros(shape).Escape();
                result[entry.Name] = t;
                var src = bytes.AsSpan((int)(dataStart + offs[0]), (int)(count * size));
                var dst = t.Span;
                for (int i = 0; i < dst.Length; i++)
                {
                    dst[i] = dtype switch
                    {
                        "F32" => BinaryPrimitives.ReadSingleLittleEndian(src[(i * 4)..]),
                        "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(i * 8)..]),
                        "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(src[(i * 2)..]),
                        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(i * 2)..]) << 16),
                    };
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            foreach (var t in result.Values) t.Dispose();
            throw Corrupt(path, "its JSON header is malformed: " + e.Message);
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static InvalidDataException Corrupt(string path, string why)
        => new($"Checkpoint '{path}' is not a valid safetensors file: {why}.");
}
