using System.Buffers.Binary;
using StbImageSharp;

namespace MuonInr.IO;

/// <summary>
/// Reads any supported image file into float samples in [0, 1] (<see cref="DecodedImage"/>), finding the
/// format from the file's leading bytes, never its extension. PNG goes through <see cref="Png"/> (1–16 bits,
/// value = sample / (2^depth − 1)); JPEG, BMP, TGA and GIF (first frame) through StbImageSharp (8 bits,
/// value = sample / 255); DICOM through <see cref="Dicom"/>, min–max normalised.
/// </summary>
public static class ImageIo
{
    /// <summary>The formats <see cref="Read(string)"/> accepts, for messages.</summary>
    public const string SupportedFormats = "PNG, JPEG, BMP, TGA, GIF, DICOM";

    /// <summary>
    /// Reads an image file. Channels are the file's own: gray 1, gray+alpha 2, RGB 3, RGBA 4 (palette BMP and
    /// GIF expand to RGB; a GIF keeps alpha only when some pixel is transparent). DICOM values are mapped to
    /// [0, 1] by min–max normalisation of the rescaled (modality) values, as the paper's fit_ct.py does with
    /// its CT image: (v − min) / (max − min); MONOCHROME1 is inverted (1 − that) so that 1 is always bright;
    /// a constant slice becomes all zeros.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">
    /// The path is a directory, the file cannot be read, its format is not one of <see cref="SupportedFormats"/>,
    /// it is corrupt or truncated, or its decoded float samples would take more than a quarter of the memory
    /// available to the process (checked from the header, before decoding).
    /// </exception>
    public static DecodedImage Read(string path) => Read(path, DefaultMaxDecodedBytes());

    /// <summary>As <see cref="Read(string)"/> with an explicit cap on the decoded float bytes (tests use a small one).</summary>
    internal static DecodedImage Read(string path, long maxDecodedBytes)
    {
        if (Directory.Exists(path)) throw new DataFormatException($"'{path}' is a directory, not an image file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"Cannot read image '{path}': {OneLine(e.Message)}", e);
        }
        return Decode(bytes, path, maxDecodedBytes);
    }

    /// <summary>Decodes image file bytes; <paramref name="name"/> is used in error messages.</summary>
    public static DecodedImage Decode(byte[] bytes, string name = "<memory>") => Decode(bytes, name, DefaultMaxDecodedBytes());

    internal static DecodedImage Decode(byte[] bytes, string name, long maxDecodedBytes)
    {
        var format = Detect(bytes) ?? throw new DataFormatException(
            $"'{name}' is not a supported image: its leading bytes match none of {SupportedFormats}.");
        return format switch
        {
            ImageFormat.Png => DecodePng(bytes, name, maxDecodedBytes),
            ImageFormat.Dicom => DecodeDicom(bytes, name, maxDecodedBytes),
            _ => DecodeStb(bytes, name, format, maxDecodedBytes),
        };
    }

    /// <summary>The format whose signature the bytes start with, or null. TGA has no signature: its header fields are checked instead, last.</summary>
    public static ImageFormat? Detect(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[137, 80, 78, 71, 13, 10, 26, 10])) return ImageFormat.Png;
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return ImageFormat.Jpeg;
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8)) return ImageFormat.Gif;
        if (b.StartsWith("BM"u8)) return ImageFormat.Bmp;
        // DICOM before TGA: its 128-byte preamble is free-form and could pass the TGA field checks.
        if (Dicom.HasSignature(b)) return ImageFormat.Dicom;
        if (LooksLikeTga(b)) return ImageFormat.Tga;
        return null;
    }

    /// <summary>TGA header plausibility (the checks stb_image's own TGA test makes), or the TGA 2.0 footer.</summary>
    private static bool LooksLikeTga(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 44 && b[^18..].SequenceEqual("TRUEVISION-XFILE.\0"u8)) return true;
        if (b.Length < 18) return false;
        int colorMapType = b[1], imageType = b[2], depth = b[16];
        if (colorMapType > 1) return false;
        bool mapped = imageType is 1 or 9;
        if (!mapped && imageType is not (2 or 3 or 10 or 11)) return false;
        if (mapped != (colorMapType == 1)) return false;
        if (mapped && b[7] is not (8 or 15 or 16 or 24 or 32)) return false;
        if (BinaryPrimitives.ReadUInt16LittleEndian(b[12..]) == 0 || BinaryPrimitives.ReadUInt16LittleEndian(b[14..]) == 0) return false;
        return mapped ? depth is 8 or 16 : depth is 8 or 15 or 16 or 24 or 32;
    }

    private static DecodedImage DecodePng(byte[] bytes, string name, long maxDecodedBytes)
    {
        // Png.Decode refuses more than 2^28 samples; the memory cap can be tighter, so read IHDR first.
        if (bytes.Length >= 26 && bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            long w = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(16)), h = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(20));
            int channels = bytes[25] switch { 0 => 1, 4 => 2, 2 => 3, _ => 4 }; // palette: up to RGBA
            if (w * h * channels * sizeof(float) > maxDecodedBytes) throw TooLarge(name, w, h, channels, maxDecodedBytes);
        }
        var png = Png.Decode(bytes, name);
        return new DecodedImage(png.ToFloat(), png.Height, png.Width, png.Channels, ImageFormat.Png, png.BitDepth, 0, png.MaxValue);
    }

    private static DecodedImage DecodeDicom(byte[] bytes, string name, long maxDecodedBytes)
    {
        var dcm = Dicom.Decode(bytes, name, maxDecodedBytes);
        var v = dcm.Values; // ours alone: normalised in place
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float x in v) { min = Math.Min(min, x); max = Math.Max(max, x); }
        double lo = min, range = (double)max - min;
        for (int i = 0; i < v.Length; i++)
        {
            float t = range > 0 ? (float)((v[i] - lo) / range) : 0f;
            v[i] = dcm.IsMonochrome1 && range > 0 ? 1f - t : t;
        }
        return new DecodedImage(v, dcm.Rows, dcm.Columns, 1, ImageFormat.Dicom, dcm.BitsStored,
            dcm.IsMonochrome1 ? max : min, dcm.IsMonochrome1 ? min : max);
    }

    private static DecodedImage DecodeStb(byte[] bytes, string name, ImageFormat format, long maxDecodedBytes)
    {
        string what = format.ToString().ToUpperInvariant();
        DataFormatException Bad(string why, Exception? inner = null) => new($"'{name}' is not a valid {what}: {why}.", inner);
        // StbImageSharp signals defects with assorted exceptions (InvalidOperationException with stb's
        // terse reason, but also index or overflow errors on hostile input): every one becomes a DataFormatException.
        int end = ImageStructure.Check(bytes, format, name);
        if (end < bytes.Length) bytes = bytes[..end]; // bytes after a JPEG's end-of-image marker
        ImageInfo? info;
        try { info = ImageInfo.FromStream(new ClampedMemoryStream(bytes)); }
        catch (Exception e) { throw Bad($"unreadable header ({OneLine(e.Message)})", e); }
        if (info is not { } hdr) throw Bad("unreadable header (truncated or corrupt)");
        if (hdr.Width <= 0 || hdr.Height <= 0) throw Bad($"invalid dimensions {hdr.Width}x{hdr.Height}");
        // GIF decodes to RGBA whatever the header says; otherwise stb keeps the file's components.
        int headerChannels = format == ImageFormat.Gif ? 4 : Math.Clamp((int)hdr.ColorComponents, 1, 4);
        if ((long)hdr.Width * hdr.Height * headerChannels * sizeof(float) > maxDecodedBytes)
            throw TooLarge(name, hdr.Width, hdr.Height, headerChannels, maxDecodedBytes);

        ImageResult img;
        try { img = ImageResult.FromStream(new ClampedMemoryStream(bytes), ColorComponents.Default); }
        catch (Exception e) { throw Bad(OneLine(e.Message), e); }
        int c = (int)img.Comp;
        if (img.Data is null || c is < 1 or > 4 || img.Width != hdr.Width || img.Height != hdr.Height || img.Data.LongLength != (long)img.Width * img.Height * c)
            throw Bad("the decoder returned an inconsistent image (corrupt data)");

        var data = img.Data;
        if (format == ImageFormat.Gif && c == 4 && AllOpaque(data))
        {
            // A GIF without transparent pixels is RGB, like PNG's palette images without tRNS.
            var rgb = new byte[data.Length / 4 * 3];
            for (int i = 0, j = 0; i < data.Length; i += 4, j += 3) { rgb[j] = data[i]; rgb[j + 1] = data[i + 1]; rgb[j + 2] = data[i + 2]; }
            data = rgb; c = 3;
        }
        var pixels = new float[data.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = data[i] / 255f;
        return new DecodedImage(pixels, img.Height, img.Width, c, format, 8, 0, 255);
    }

    private static bool AllOpaque(byte[] rgba)
    {
        for (int i = 3; i < rgba.Length; i += 4) if (rgba[i] != 255) return false;
        return true;
    }

    /// <summary>A quarter of the memory the GC says this process may use: room for the image, the model and the training buffers.</summary>
    internal static long DefaultMaxDecodedBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    internal static DataFormatException TooLarge(string name, long width, long height, int channels, long maxDecodedBytes) => new(
        $"'{name}' is {width}x{height} with {channels} channel(s): {Size(width * height * channels * sizeof(float))} as float samples, " +
        $"more than the {Size(maxDecodedBytes)} allowed (a quarter of the {Size(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} of memory available); refusing to decode it.");

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : $"{bytes / (double)(1L << 20):0.0} MiB";

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
