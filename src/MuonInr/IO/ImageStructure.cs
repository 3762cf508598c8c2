using System.Buffers.Binary;

namespace MuonInr.IO;

/// <summary>
/// Structure checks of JPEG, BMP, TGA and GIF files made before StbImageSharp sees them. stb_image is
/// lenient by design: past the end of a file it reads zeros, so a truncated file "decodes" with a black
/// or garbage tail. These walks prove that every segment, block or row the header promises is present
/// (and, for JPEG, that an end-of-image marker follows the scans), without decoding any pixel.
/// Each returns normally or throws a <see cref="DataFormatException"/> with one line.
/// </summary>
internal static class ImageStructure
{
    /// <summary>A JPEG can hold at most this many pixels per byte: every 8x8 block costs at least one bit (its DC code).</summary>
    private const long MaxJpegPixelsPerByte = 1024;

    /// <summary>Checks the files of <paramref name="format"/>; returns the number of bytes that belong to the image (a JPEG ends at its EOI marker).</summary>
    public static int Check(byte[] b, ImageFormat format, string name) => format switch
    {
        ImageFormat.Jpeg => Jpeg(b, name),
        ImageFormat.Bmp => Bmp(b, name),
        ImageFormat.Tga => Tga(b, name),
        ImageFormat.Gif => Gif(b, name),
        _ => b.Length,
    };

    private static DataFormatException Bad(string name, string format, string why) => new($"'{name}' is not a valid {format}: {why}.");

    private static int Jpeg(byte[] b, string name)
    {
        DataFormatException Err(string why) => Bad(name, "JPEG", why);
        int n = b.Length, pos = 2;
        bool frame = false, scan = false;
        long pixels = 0;
        while (true)
        {
            if (pos >= n) throw Err("no end-of-image marker (truncated)");
            if (b[pos] != 0xFF) throw Err($"expected a marker at byte {pos}, found 0x{b[pos]:X2}");
            while (pos < n && b[pos] == 0xFF) pos++; // fill bytes
            if (pos >= n) throw Err("no end-of-image marker (truncated)");
            byte m = b[pos++];
            if (m == 0xD9)
            {
                if (!scan) throw Err("end of image before any scan");
                if (pixels > (long)n * MaxJpegPixelsPerByte) throw Err($"header promises {pixels} pixels but the file has only {n} bytes (corrupt)");
                return pos;
            }
            if (m is (>= 0xD0 and <= 0xD7) or 0x01) continue; // stand-alone markers
            if (m is 0x00 or 0xD8) throw Err($"unexpected marker 0xFF{m:X2} at byte {pos - 2}");
            if (pos + 2 > n) throw Err("truncated segment header");
            int length = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(pos));
            if (length < 2) throw Err($"segment 0xFF{m:X2} at byte {pos - 2} has length {length}");
            if (pos + length > n) throw Err($"segment 0xFF{m:X2} at byte {pos - 2} claims {length} bytes but the file ends first (truncated)");
            if (m is >= 0xC0 and <= 0xCF && m is not (0xC4 or 0xC8 or 0xCC))
            {
                if (frame) throw Err("more than one frame header");
                if (length < 8) throw Err("frame header too short");
                int height = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(pos + 3)), width = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(pos + 5));
                if (width == 0 || height == 0) throw Err($"invalid dimensions {width}x{height}");
                pixels = (long)width * height;
                frame = true;
            }
            pos += length;
            if (m == 0xDA)
            {
                if (!frame) throw Err("scan before the frame header");
                scan = true;
                // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
                while (true)
                {
                    if (pos + 1 >= n) throw Err("scan data runs to the end of the file (truncated)");
                    if (b[pos] == 0xFF && b[pos + 1] != 0 && b[pos + 1] is not (>= 0xD0 and <= 0xD7)) break;
                    pos++;
                }
            }
        }
    }

    private static int Bmp(byte[] b, string name)
    {
        DataFormatException Err(string why) => Bad(name, "BMP", why);
        if (b.Length < 26) throw Err("truncated header");
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(10));
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(14));
        long width, height;
        int bpp;
        uint compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(18)); height = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(20));
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(24));
        }
        else
        {
            if (b.Length < 34) throw Err("truncated header");
            width = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(18)); height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22)));
            bpp = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(28));
            compression = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(30));
        }
        if (width <= 0 || height <= 0) throw Err($"invalid dimensions {width}x{height}");
        // Uncompressed (RGB or bit-field) rows are 4-byte aligned; other compressions stb refuses itself.
        if (compression is 0 or 3 or 6)
        {
            long stride = (width * bpp + 31) / 32 * 4;
            if (offset + stride * height > b.Length) throw Err($"{width}x{height} at {bpp} bits needs {stride * height} bytes of pixels from byte {offset}, but the file has {b.Length} (truncated)");
        }
        return b.Length;
    }

    private static int Tga(byte[] b, string name)
    {
        DataFormatException Err(string why) => Bad(name, "TGA", why);
        if (b.Length < 18) throw Err("truncated header");
        int idLength = b[0], colorMapType = b[1], type = b[2], mapLength = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(5)), mapBits = b[7];
        long width = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(12)), height = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(14));
        int bytesPerPixel = (b[16] + 7) / 8;
        if (width == 0 || height == 0 || bytesPerPixel == 0) throw Err($"invalid dimensions {width}x{height} or depth {b[16]}");
        long pos = 18 + idLength + (colorMapType == 1 ? (long)mapLength * ((mapBits + 7) / 8) : 0);
        long pixels = width * height;
        if (type is 1 or 2 or 3)
        {
            if (pos + pixels * bytesPerPixel > b.Length) throw Err($"{width}x{height} at {b[16]} bits needs {pixels * bytesPerPixel} bytes of pixels from byte {pos}, but the file has {b.Length} (truncated)");
        }
        else if (type is 9 or 10 or 11)
        {
            // Run-length packets: a header byte, then one pixel (a run) or n pixels (raw).
            for (long covered = 0; covered < pixels;)
            {
                if (pos >= b.Length) throw Err($"run-length data ends after {covered} of {pixels} pixels (truncated)");
                int header = b[pos++], count = (header & 127) + 1;
                pos += (header & 128) != 0 ? bytesPerPixel : (long)count * bytesPerPixel;
                if (pos > b.Length) throw Err($"run-length data ends after {covered} of {pixels} pixels (truncated)");
                covered += count;
            }
        }
        return b.Length;
    }

    private static int Gif(byte[] b, string name)
    {
        DataFormatException Err(string why) => Bad(name, "GIF", why);
        if (b.Length < 13) throw Err("truncated header");
        int flags = b[10];
        long pos = 13 + ((flags & 0x80) != 0 ? 3 * (2 << (flags & 7)) : 0);
        while (true)
        {
            if (pos >= b.Length) throw Err("no image in the file (truncated)");
            int block = b[pos++];
            if (block == 0x21) { pos++; pos = SubBlocks(b, pos, Err); continue; }
            if (block == 0x3B) throw Err("no image before the trailer");
            if (block != 0x2C) throw Err($"unknown block 0x{block:X2} at byte {pos - 1}");
            if (pos + 10 > b.Length) throw Err("truncated image descriptor");
            int imageFlags = b[pos + 8];
            pos += 9 + ((imageFlags & 0x80) != 0 ? 3 * (2 << (imageFlags & 7)) : 0) + 1; // descriptor, local colours, LZW code size
            SubBlocks(b, pos, Err); // the first frame is all that is decoded
            return b.Length;
        }
    }

    /// <summary>Walks GIF data sub-blocks to their zero terminator; returns the position after it.</summary>
    private static long SubBlocks(byte[] b, long pos, Func<string, DataFormatException> err)
    {
        while (true)
        {
            if (pos >= b.Length) throw err("data blocks run past the end of the file (truncated)");
            int length = b[pos++];
            if (length == 0) return pos;
            pos += length;
        }
    }
}
