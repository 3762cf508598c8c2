using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MuonInr.IO;

/// <summary>
/// A minimal, strict reader of one 2-D grayscale DICOM slice (PS3.10 file): 128-byte preamble,
/// "DICM", the file meta group (explicit VR little endian), then a data set in implicit VR little
/// endian (1.2.840.10008.1.2) or explicit VR little endian (1.2.840.10008.1.2.1). Compressed,
/// deflated and big-endian transfer syntaxes are refused, naming the UID. Sequences are skipped
/// (defined or undefined length, nested items with delimiters), so elements inside them (an icon
/// image's Rows or Pixel Data, say) are never mistaken for the slice's own.
/// </summary>
/// <remarks>
/// Requires Samples per Pixel 1, MONOCHROME1 or MONOCHROME2, Bits Allocated 8 or 16, and a single frame:
/// a multi-frame file is refused rather than silently cut to its first frame, so that a volume is never
/// mistaken for a slice. Stored values are masked to Bits Stored and sign-extended when Pixel
/// Representation is 1, then rescaled in double (stored × slope + intercept) and rounded to float32.
/// Every length read from the file is checked against the bytes that remain before anything is
/// allocated or sliced, and nesting is capped, so a corrupt file ends in a
/// <see cref="DataFormatException"/> with one line naming the file and the problem.
/// </remarks>
public static class Dicom
{
    /// <summary>Implicit VR little endian, the DICOM default transfer syntax.</summary>
    public const string ImplicitVRLittleEndian = "1.2.840.10008.1.2";
    /// <summary>Explicit VR little endian.</summary>
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";

    private const uint Undefined = 0xFFFFFFFF;
    private const uint ItemTag = 0xFFFEE000, ItemDelimiter = 0xFFFEE00D, SequenceDelimiter = 0xFFFEE0DD;
    private const uint PixelDataTag = 0x7FE00010;
    private const int MaxNesting = 64; // real files nest a handful of levels; the cap keeps the stack bounded

    /// <summary>True when <paramref name="data"/> has "DICM" at byte 128 (a PS3.10 file).</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 132 && data.Slice(128, 4).SequenceEqual("DICM"u8);

    /// <summary>Reads a DICOM file holding one 2-D grayscale slice.</summary>
    public static DicomImage Read(string path)
    {
        if (Directory.Exists(path)) throw new DataFormatException($"'{path}' is a directory, not an image file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"DICOM file '{path}' does not exist.", path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException($"Cannot read DICOM file '{path}': {e.Message}", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes DICOM file bytes; <paramref name="name"/> is used in error messages.</summary>
    public static DicomImage Decode(ReadOnlySpan<byte> data, string name = "<memory>") => Decode(data, name, long.MaxValue);

    /// <summary>As <see cref="Decode(ReadOnlySpan{byte}, string)"/>, refusing before allocation when the float values would exceed <paramref name="maxDecodedBytes"/>.</summary>
    internal static DicomImage Decode(ReadOnlySpan<byte> data, string name, long maxDecodedBytes)
    {
        if (!HasSignature(data)) throw Bad(name, data.Length < 132 ? $"file has {data.Length} bytes, too short for the 128-byte preamble and 'DICM'" : "no 'DICM' marker at byte 128");
        int pos = 132;

        // File meta group: always explicit VR little endian, group 0002 only.
        string? syntax = null;
        while (pos + 2 <= data.Length && BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]) == 0x0002)
        {
            var (tag, _, length) = ReadHeader(data, ref pos, explicitVr: true, name);
            var value = TakeValue(data, ref pos, tag, length, name);
            if (tag == 0x00020010) syntax = Text(value);
        }
        if (syntax is null) throw Bad(name, "no Transfer Syntax UID (0002,0010) in the file meta group");
        bool explicitVr = syntax switch
        {
            ExplicitVRLittleEndian => true,
            ImplicitVRLittleEndian => false,
            _ => throw Bad(name, $"transfer syntax {Printable(syntax)}{SyntaxName(syntax)} is not supported; only uncompressed implicit VR little endian ({ImplicitVRLittleEndian}) and explicit VR little endian ({ExplicitVRLittleEndian}) are"),
        };

        int? rows = null, columns = null, bitsAllocated = null, bitsStored = null, highBit = null, pixelRep = null, samples = null;
        string? photometric = null;
        int frames = 1;
        double slope = 1, intercept = 0;
        int pixelOffset = -1, pixelLength = 0;
        while (pos < data.Length)
        {
            var (tag, vr, length) = ReadHeader(data, ref pos, explicitVr, name);
            if (tag == PixelDataTag)
            {
                if (length == Undefined) throw Bad(name, "Pixel Data is encapsulated (compressed) although the transfer syntax is uncompressed");
                if (length > data.Length - pos) throw Bad(name, $"Pixel Data claims {length} bytes but only {data.Length - pos} remain (truncated)");
                pixelOffset = pos; pixelLength = (int)length;
                break; // anything after the pixel data (padding, signatures) is not needed
            }
            if ((tag >> 16) == 0xFFFE) throw Bad(name, $"unexpected item or delimiter {TagText(tag)} at byte {pos - 8} outside a sequence");
            if (length == Undefined)
            {
                if (explicitVr && vr is not ("SQ" or "UN")) throw Bad(name, $"element {TagText(tag)} with VR {vr} has undefined length");
                // Undefined-length UN holds implicit VR little endian content (PS3.5 6.2.2).
                SkipSequence(data, ref pos, explicitVr && vr != "UN", 1, name);
                continue;
            }
            var value = TakeValue(data, ref pos, tag, length, name);
            switch (tag)
            {
                case 0x00280002: samples = UInt16(value, tag, "Samples per Pixel", name); break;
                case 0x00280004: photometric = Text(value); break;
                case 0x00280008: frames = IntegerString(value, "Number of Frames", name); break;
                case 0x00280010: rows = UInt16(value, tag, "Rows", name); break;
                case 0x00280011: columns = UInt16(value, tag, "Columns", name); break;
                case 0x00280100: bitsAllocated = UInt16(value, tag, "Bits Allocated", name); break;
                case 0x00280101: bitsStored = UInt16(value, tag, "Bits Stored", name); break;
                case 0x00280102: highBit = UInt16(value, tag, "High Bit", name); break;
                case 0x00280103: pixelRep = UInt16(value, tag, "Pixel Representation", name); break;
                case 0x00281052: intercept = DecimalString(value, "Rescale Intercept", name); break;
                case 0x00281053: slope = DecimalString(value, "Rescale Slope", name); break;
            }
        }
        if (pixelOffset < 0) throw Bad(name, "no Pixel Data (7FE0,0010) element (truncated, or not an image)");
        int Required(int? v, string what) => v ?? throw Bad(name, $"missing required element {what}");
        int h = Required(rows, "(0028,0010) Rows"), w = Required(columns, "(0028,0011) Columns");
        int bits = Required(bitsAllocated, "(0028,0100) Bits Allocated"), stored = Required(bitsStored, "(0028,0101) Bits Stored");
        int rep = Required(pixelRep, "(0028,0103) Pixel Representation"), spp = Required(samples, "(0028,0002) Samples per Pixel");
        if (photometric is null) throw Bad(name, "missing required element (0028,0004) Photometric Interpretation");
        if (spp != 1) throw Bad(name, $"{spp} samples per pixel (colour); only single-sample grayscale images are supported");
        if (photometric is not ("MONOCHROME1" or "MONOCHROME2")) throw Bad(name, $"photometric interpretation '{Printable(photometric)}' is not supported (MONOCHROME1 or MONOCHROME2)");
        if (frames != 1) throw Bad(name, $"{frames} frames; only single-frame (2-D) images are supported");
        if (h == 0 || w == 0) throw Bad(name, $"invalid dimensions {w}x{h}");
        if (bits is not (8 or 16)) throw Bad(name, $"Bits Allocated {bits} is not supported (8 or 16)");
        if (stored < 1 || stored > bits) throw Bad(name, $"Bits Stored {stored} is outside 1..{bits}");
        if (highBit is { } hb && hb != stored - 1) throw Bad(name, $"High Bit {hb} is not Bits Stored − 1 = {stored - 1}");
        if (rep is not (0 or 1)) throw Bad(name, $"Pixel Representation {rep} is neither 0 (unsigned) nor 1 (signed)");
        if (!double.IsFinite(slope) || !double.IsFinite(intercept)) throw Bad(name, "rescale slope or intercept is not finite");

        int bytesPerSample = bits / 8;
        long count = (long)h * w, expected = count * bytesPerSample;
        // A value of odd length is padded to even length with one byte.
        if (pixelLength != expected && !(expected % 2 == 1 && pixelLength == expected + 1))
            throw Bad(name, $"Pixel Data has {pixelLength} bytes, expected {expected} for {w}x{h} at {bits} bits");
        if (count * sizeof(float) > maxDecodedBytes) throw ImageIo.TooLarge(name, w, h, 1, maxDecodedBytes);

        var pixels = data.Slice(pixelOffset, (int)expected);
        var values = new float[count];
        int mask = (1 << stored) - 1, signBit = 1 << (stored - 1);
        long rawMin = long.MaxValue, rawMax = long.MinValue;
        for (int i = 0; i < values.Length; i++)
        {
            int raw = (bytesPerSample == 1 ? pixels[i] : BinaryPrimitives.ReadUInt16LittleEndian(pixels[(2 * i)..])) & mask;
            if (rep == 1 && (raw & signBit) != 0) raw -= 1 << stored;
            rawMin = Math.Min(rawMin, raw); rawMax = Math.Max(rawMax, raw);
            values[i] = (float)(raw * slope + intercept); // double, like pydicom's pixel_array * slope + intercept
        }
        return new DicomImage(h, w, values, bits, stored, rep == 1, photometric == "MONOCHROME1", slope, intercept, rawMin, rawMax, syntax);
    }

    /// <summary>Reads a tag and its VR/length; items and delimiters (group FFFE) have no VR in either syntax.</summary>
    private static (uint Tag, string? Vr, uint Length) ReadHeader(ReadOnlySpan<byte> data, ref int pos, bool explicitVr, string name)
    {
        if (data.Length - pos < 8) throw Bad(name, $"truncated element header at byte {pos}");
        uint tag = (uint)BinaryPrimitives.ReadUInt16LittleEndian(data[pos..]) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(data[(pos + 2)..]);
        if ((tag >> 16) == 0xFFFE || !explicitVr)
        {
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(data[(pos + 4)..]);
            pos += 8;
            return (tag, null, len);
        }
        byte v0 = data[pos + 4], v1 = data[pos + 5];
        if (v0 is < (byte)'A' or > (byte)'Z' || v1 is < (byte)'A' or > (byte)'Z')
            throw Bad(name, $"element {TagText(tag)} at byte {pos} has an invalid VR (bytes {v0:X2} {v1:X2})");
        string vr = Encoding.ASCII.GetString(data.Slice(pos + 4, 2));
        if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "SV" or "UC" or "UN" or "UR" or "UT" or "UV")
        {
            if (data.Length - pos < 12) throw Bad(name, $"truncated element header at byte {pos}");
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(data[(pos + 8)..]);
            pos += 12;
            return (tag, vr, len);
        }
        uint shortLen = BinaryPrimitives.ReadUInt16LittleEndian(data[(pos + 6)..]);
        pos += 8;
        return (tag, vr, shortLen);
    }

    /// <summary>The value of a defined-length element, bounds-checked, advancing past it.</summary>
    private static ReadOnlySpan<byte> TakeValue(ReadOnlySpan<byte> data, ref int pos, uint tag, uint length, string name)
    {
        if (length == Undefined) throw Bad(name, $"element {TagText(tag)} at byte {pos} has undefined length where a value is required");
        if (length > data.Length - pos) throw Bad(name, $"element {TagText(tag)} at byte {pos} claims {length} bytes but only {data.Length - pos} remain (truncated)");
        var value = data.Slice(pos, (int)length);
        pos += (int)length;
        return value;
    }

    /// <summary>Skips the items of an undefined-length sequence up to and including its delimiter.</summary>
    private static void SkipSequence(ReadOnlySpan<byte> data, ref int pos, bool explicitVr, int depth, string name)
    {
        if (depth > MaxNesting) throw Bad(name, $"sequences nested deeper than {MaxNesting} levels");
        while (true)
        {
            var (tag, _, length) = ReadHeader(data, ref pos, explicitVr, name);
            if (tag == SequenceDelimiter) return;
            if (tag != ItemTag) throw Bad(name, $"expected a sequence item at byte {pos - 8}, found {TagText(tag)}");
            if (length != Undefined) { TakeValue(data, ref pos, tag, length, name); continue; }
            // Undefined-length item: elements until the item delimiter.
            while (true)
            {
                var (etag, evr, elength) = ReadHeader(data, ref pos, explicitVr, name);
                if (etag == ItemDelimiter) break;
                if ((etag >> 16) == 0xFFFE) throw Bad(name, $"unexpected {TagText(etag)} at byte {pos - 8} inside a sequence item");
                if (elength == Undefined)
                {
                    if (explicitVr && evr is not ("SQ" or "UN")) throw Bad(name, $"element {TagText(etag)} with VR {evr} has undefined length");
                    SkipSequence(data, ref pos, explicitVr && evr != "UN", depth + 1, name);
                }
                else TakeValue(data, ref pos, etag, elength, name);
            }
        }
    }

    private static int UInt16(ReadOnlySpan<byte> value, uint tag, string what, string name)
    {
        if (value.Length != 2) throw Bad(name, $"{TagText(tag)} {what} has {value.Length} bytes, expected 2");
        return BinaryPrimitives.ReadUInt16LittleEndian(value);
    }

    private static int IntegerString(ReadOnlySpan<byte> value, string what, string name)
    {
        string s = Text(value);
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v)) throw Bad(name, $"{what} '{Printable(s)}' is not an integer");
        return v;
    }

    private static double DecimalString(ReadOnlySpan<byte> value, string what, string name)
    {
        string s = Text(value);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw Bad(name, $"{what} '{Printable(s)}' is not a single finite decimal number");
        return v;
    }

    /// <summary>ASCII text with DICOM's trailing padding (space or NUL) and leading spaces removed.</summary>
    private static string Text(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value).Trim(' ', '\0');

    /// <summary>Keeps error messages on one line whatever bytes a corrupt file holds.</summary>
    private static string Printable(string s)
    {
        var sb = new StringBuilder();
        foreach (char c in s.Length > 64 ? s[..64] : s) sb.Append(c is >= ' ' and <= '~' ? c : '?');
        return sb.ToString();
    }

    private static string TagText(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";

    private static string SyntaxName(string uid) => uid switch
    {
        "1.2.840.10008.1.2.2" => " (explicit VR big endian)",
        "1.2.840.10008.1.2.1.99" => " (deflated explicit VR little endian)",
        "1.2.840.10008.1.2.4.50" => " (JPEG baseline)",
        "1.2.840.10008.1.2.4.51" => " (JPEG extended)",
        "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => " (JPEG lossless)",
        "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => " (JPEG-LS)",
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => " (JPEG 2000)",
        "1.2.840.10008.1.2.5" => " (RLE lossless)",
        _ => "",
    };

    private static DataFormatException Bad(string name, string why) => new($"'{name}' is not a readable DICOM slice: {why}.");
}
