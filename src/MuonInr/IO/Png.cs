using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MuonInr.IO;

/// <summary>
/// PNG codec (ISO/IEC 15948): decodes bit depths 1–16, gray, gray+alpha, RGB, RGBA and palette (with
/// tRNS alpha), all five filters, any number of IDAT chunks and Adam7 interlacing, checking every CRC;
/// encodes 8- and 16-bit gray, gray+alpha, RGB and RGBA. Every defect becomes a
/// <see cref="DataFormatException"/> naming the file and the problem.
/// </summary>
public static class Png
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private const long MaxSamples = 1L << 28; // 1 GB of ushort samples: far beyond any INR signal

    /// <summary>Reads a PNG file.</summary>
    public static PngImage Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"Cannot read image '{path}': {e.Message}", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes PNG bytes; <paramref name="name"/> is used in error messages.</summary>
    public static PngImage Decode(ReadOnlySpan<byte> png, string name = "<memory>")
    {
        DataFormatException Bad(string why) => new($"'{name}' is not a valid PNG: {why}.");
        if (png.Length < 8 || !png[..8].SequenceEqual(Signature)) throw Bad("missing PNG signature");
        int pos = 8;
        int width = 0, height = 0, depth = 0, interlace = 0;
        PngColorType color = 0;
        bool haveHeader = false, haveEnd = false;
        byte[]? palette = null, paletteAlpha = null;
        using var idat = new MemoryStream();
        while (pos < png.Length)
        {
            if (png.Length - pos < 12) throw Bad($"truncated chunk header at byte {pos}");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(png[pos..]);
            if (length > int.MaxValue || length > png.Length - pos - 12) throw Bad($"chunk at byte {pos} claims {length} bytes but the file ends first (truncated)");
            var type = png.Slice(pos + 4, 4);
            var data = png.Slice(pos + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + (int)length)..]);
            string typeName = Encoding.ASCII.GetString(type);
            if (Crc32.Compute(type, data) != crc) throw Bad($"CRC mismatch in chunk '{typeName}' at byte {pos} (corrupt data)");
            pos += 12 + (int)length;
            if (!haveHeader && typeName != "IHDR") throw Bad($"first chunk is '{typeName}', expected IHDR");
            switch (typeName)
            {
                case "IHDR":
                    if (haveHeader) throw Bad("duplicate IHDR");
                    if (data.Length != 13) throw Bad($"IHDR has {data.Length} bytes, expected 13");
                    width = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    depth = data[8]; color = (PngColorType)data[9]; interlace = data[12];
                    if (width <= 0 || height <= 0) throw Bad($"invalid dimensions {width}x{height}");
                    if (data[10] != 0 || data[11] != 0) throw Bad("unknown compression or filter method");
                    if (interlace > 1) throw Bad($"unknown interlace method {interlace}");
                    bool ok = color switch
                    {
                        PngColorType.Gray => depth is 1 or 2 or 4 or 8 or 16,
                        PngColorType.Palette => depth is 1 or 2 or 4 or 8,
                        PngColorType.Rgb or PngColorType.GrayAlpha or PngColorType.Rgba => depth is 8 or 16,
                        _ => false,
                    };
                    if (!ok) throw Bad($"invalid colour type {(int)color} with bit depth {depth}");
                    if ((long)width * height * 4 > MaxSamples) throw Bad($"dimensions {width}x{height} are too large");
                    haveHeader = true;
                    break;
                case "PLTE":
                    if (data.Length % 3 != 0 || data.Length == 0 || data.Length > 768) throw Bad($"PLTE has {data.Length} bytes");
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    if (color == PngColorType.Palette) paletteAlpha = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    haveEnd = true;
                    break;
                default:
                    if (char.IsUpper(typeName[0])) throw Bad($"unknown critical chunk '{typeName}'");
                    break;
            }
            if (haveEnd) break;
        }
        if (!haveHeader) throw Bad("no IHDR chunk");
        if (idat.Length == 0) throw Bad("no image data (IDAT)");
        if (!haveEnd) throw Bad("missing IEND chunk (truncated file)");
        if (color == PngColorType.Palette && palette is null) throw Bad("palette image without PLTE chunk");

        int channelsIn = color switch { PngColorType.Gray => 1, PngColorType.GrayAlpha => 2, PngColorType.Rgb => 3, PngColorType.Rgba => 4, _ => 1 };
        int bitsPerPixel = channelsIn * depth;
        long expected = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace))
            if (pw > 0 && ph > 0) expected += (long)ph * (1 + ((long)pw * bitsPerPixel + 7) / 8);
        if (expected > int.MaxValue) throw Bad("image data too large");
        // zlib cannot expand data more than ~1032:1, so a header promising far more pixels than the
        // compressed data can hold is corrupt: refuse it before allocating for it.
        if (expected > idat.Length * 1100L + 1024) throw Bad($"header promises {expected} bytes of pixel data but only {idat.Length} compressed bytes follow (truncated or corrupt)");
        var raw = new byte[expected];
        try
        {
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int read = 0;
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read < raw.Length) throw Bad($"image data decompresses to {read} bytes, expected {raw.Length} (truncated)");
        }
        catch (InvalidDataException e) { throw Bad("corrupt compressed data (" + e.Message + ")"); }

        int channelsOut = color == PngColorType.Palette ? (paletteAlpha is null ? 3 : 4) : channelsIn;
        int depthOut = color == PngColorType.Palette ? 8 : depth;
        var samples = new ushort[(long)width * height * channelsOut];
        int offset = 0, passIndex = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace))
        {
            var (x0, y0, dx, dy) = interlace == 1 ? Adam7[passIndex] : (0, 0, 1, 1);
            passIndex++;
            if (pw == 0 || ph == 0) continue;
            int rowBytes = (int)(((long)pw * bitsPerPixel + 7) / 8);
            int bpp = Math.Max(1, bitsPerPixel / 8);
            var prev = new byte[rowBytes];
            var cur = new byte[rowBytes];
            var rowSamples = new ushort[pw * channelsIn];
            for (int y = 0; y < ph; y++)
            {
                byte filter = raw[offset];
                Array.Copy(raw, offset + 1, cur, 0, rowBytes);
                offset += 1 + rowBytes;
                Unfilter(filter, cur, prev, bpp, name);
                Unpack(cur, depth, rowSamples);
                int yy = y0 + y * dy;
                for (int x = 0; x < pw; x++)
                {
                    long dst = ((long)yy * width + x0 + x * dx) * channelsOut;
                    if (color == PngColorType.Palette)
                    {
                        int idx = rowSamples[x];
                        if (idx * 3 + 2 >= palette!.Length) throw Bad($"palette index {idx} out of range (palette has {palette.Length / 3} entries)");
                        samples[dst] = palette[idx * 3]; samples[dst + 1] = palette[idx * 3 + 1]; samples[dst + 2] = palette[idx * 3 + 2];
                        if (channelsOut == 4) samples[dst + 3] = idx < paletteAlpha!.Length ? paletteAlpha[idx] : (ushort)255;
                    }
                    else
                    {
                        for (int c = 0; c < channelsIn; c++) samples[dst + c] = rowSamples[x * channelsIn + c];
                    }
                }
                (prev, cur) = (cur, prev);
            }
        }
        return new PngImage(width, height, channelsOut, depthOut, samples);
    }

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static IEnumerable<(int W, int H)> Passes(int width, int height, int interlace)
    {
        if (interlace == 0) { yield return (width, height); yield break; }
        foreach (var (x0, y0, dx, dy) in Adam7)
            yield return ((width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy);
    }

    private static void Unfilter(byte filter, byte[] cur, byte[] prev, int bpp, string name)
    {
        int n = cur.Length;
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = bpp; i < n; i++) cur[i] += cur[i - bpp]; break;
            case 2: for (int i = 0; i < n; i++) cur[i] += prev[i]; break;
            case 3:
                for (int i = 0; i < n; i++) cur[i] += (byte)(((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    cur[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default: throw new DataFormatException($"'{name}' is not a valid PNG: unknown row filter {filter}.");
        }
    }

    private static void Unpack(byte[] row, int depth, ushort[] dst)
    {
        switch (depth)
        {
            case 8: for (int i = 0; i < dst.Length; i++) dst[i] = row[i]; break;
            case 16: for (int i = 0; i < dst.Length; i++) dst[i] = (ushort)(row[2 * i] << 8 | row[2 * i + 1]); break;
            default:
                int perByte = 8 / depth, mask = (1 << depth) - 1;
                for (int i = 0; i < dst.Length; i++)
                {
                    int shift = 8 - depth * (i % perByte + 1);
                    dst[i] = (ushort)((row[i / perByte] >> shift) & mask);
                }
                break;
        }
    }

    /// <summary>Encodes 8- or 16-bit gray, gray+alpha, RGB or RGBA (adaptive filters, zlib).</summary>
    public static byte[] Encode(PngImage image)
    {
        if (image.BitDepth is not (8 or 16)) throw new ArgumentException($"Only 8- and 16-bit images can be encoded, got {image.BitDepth}.");
        byte colorType = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, 4 => 6, _ => throw new ArgumentException($"Cannot encode {image.Channels} channels.") };
        int bytesPerSample = image.BitDepth / 8, bpp = image.Channels * bytesPerSample;
        int rowBytes = image.Width * bpp;
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var prev = new byte[rowBytes]; var cur = new byte[rowBytes];
            var candidates = new byte[5][];
            for (int f = 0; f < 5; f++) candidates[f] = new byte[rowBytes + 1];
            for (int y = 0; y < image.Height; y++)
            {
                int s = y * image.Width * image.Channels;
                for (int i = 0; i < image.Width * image.Channels; i++)
                {
                    ushort v = image.Samples[s + i];
                    if (bytesPerSample == 1) cur[i] = (byte)v;
                    else { cur[2 * i] = (byte)(v >> 8); cur[2 * i + 1] = (byte)v; }
                }
                // Pick the filter with the smallest sum of absolute residuals (the usual heuristic).
                int best = 0; long bestScore = long.MaxValue;
                for (int f = 0; f < 5; f++)
                {
                    var c = candidates[f]; c[0] = (byte)f; long score = 0;
                    for (int i = 0; i < rowBytes; i++)
                    {
                        int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], cc = i >= bpp ? prev[i - bpp] : 0;
                        int pred = f switch
                        {
                            0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1,
                            _ => Paeth(a, b, cc),
                        };
                        byte r = (byte)(cur[i] - pred);
                        c[i + 1] = r;
                        score += r < 128 ? r : 256 - r;
                    }
                    if (score < bestScore) { bestScore = score; best = f; }
                }
                z.Write(candidates[best]);
                (prev, cur) = (cur, prev);
            }
        }
        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr[4..], (uint)image.Height);
        ihdr[8] = (byte)image.BitDepth; ihdr[9] = colorType; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> buf = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(buf, (uint)data.Length); s.Write(buf);
        var t = Encoding.ASCII.GetBytes(type); s.Write(t); s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(buf, Crc32.Compute(t, data)); s.Write(buf);
    }

    /// <summary>Writes a PNG atomically; refuses to replace an existing file unless <paramref name="overwrite"/>.</summary>
    public static void Write(string path, PngImage image, bool overwrite = false)
    {
        if (!overwrite && File.Exists(path)) throw new IOException($"Refusing to overwrite existing file '{path}'.");
        var bytes = Encode(image);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
        string tmp = full + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, full, overwrite);
    }
}
