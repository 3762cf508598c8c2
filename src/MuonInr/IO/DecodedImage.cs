namespace MuonInr.IO;

/// <summary>
/// An image decoded by <see cref="ImageIo.Read(string)"/>: float samples in [0, 1], row-major
/// [<see cref="Height"/>, <see cref="Width"/>, <see cref="Channels"/>], the layout of <see cref="PngImage.ToFloat"/>.
/// </summary>
public sealed class DecodedImage
{
    internal DecodedImage(float[] pixels, int height, int width, int channels, ImageFormat format, int bitDepth, double sourceZero, double sourceOne)
    {
        if ((long)height * width * channels != pixels.Length)
            throw new ArgumentException($"A {width}x{height}x{channels} image needs {(long)height * width * channels} samples, got {pixels.Length}.");
        Pixels = pixels; Height = height; Width = width; Channels = channels; Format = format; BitDepth = bitDepth;
        SourceZero = sourceZero; SourceOne = sourceOne;
    }

    /// <summary>Samples in [0, 1], [height, width, channels] row-major.</summary>
    public float[] Pixels { get; }
    /// <summary>Rows.</summary>
    public int Height { get; }
    /// <summary>Columns.</summary>
    public int Width { get; }
    /// <summary>The file's own channel count: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }
    /// <summary>The format found from the file's leading bytes (its name is <c>Format.ToString()</c>).</summary>
    public ImageFormat Format { get; }
    /// <summary>Bits per sample in the file: PNG's bit depth, 8 for JPEG/BMP/TGA/GIF, DICOM's Bits Stored.</summary>
    public int BitDepth { get; }
    /// <summary>
    /// The source value that maps to 0: 0 for integer formats; for DICOM the smallest rescaled value
    /// (the largest for MONOCHROME1, which is inverted so that 1 is always bright).
    /// </summary>
    public double SourceZero { get; }
    /// <summary>The source value that maps to 1: 2^depth − 1 for integer formats; for DICOM the largest rescaled value (the smallest for MONOCHROME1).</summary>
    public double SourceOne { get; }
}
