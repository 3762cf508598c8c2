namespace MuonInr.IO;

/// <summary>PNG colour types (IHDR byte 9).</summary>
public enum PngColorType : byte
{
    /// <summary>Gray.</summary>
    Gray = 0,
    /// <summary>RGB.</summary>
    Rgb = 2,
    /// <summary>Palette indices (expanded to RGB or RGBA on decoding).</summary>
    Palette = 3,
    /// <summary>Gray + alpha.</summary>
    GrayAlpha = 4,
    /// <summary>RGBA.</summary>
    Rgba = 6,
}

/// <summary>
/// A decoded image: samples as unsigned integers of <see cref="BitDepth"/> bits (8 or 16 after palette
/// expansion; 1/2/4-bit gray is kept at its depth), channels last [height, width, channels].
/// </summary>
public sealed class PngImage
{
    /// <summary>Wraps samples [height, width, channels].</summary>
    public PngImage(int width, int height, int channels, int bitDepth, ushort[] samples)
    {
        if (width <= 0 || height <= 0 || channels is < 1 or > 4)
            throw new ArgumentException($"Invalid image geometry {width}x{height} with {channels} channels.");
        if (samples.Length != (long)width * height * channels)
            throw new ArgumentException($"A {width}x{height}x{channels} image needs {(long)width * height * channels} samples, got {samples.Length}.");
        Width = width; Height = height; Channels = channels; BitDepth = bitDepth; Samples = samples;
    }

    /// <summary>Columns.</summary>
    public int Width { get; }
    /// <summary>Rows.</summary>
    public int Height { get; }
    /// <summary>1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }
    /// <summary>Bits per sample (1, 2, 4, 8 or 16).</summary>
    public int BitDepth { get; }
    /// <summary>Raw samples [height, width, channels].</summary>
    public ushort[] Samples { get; }

    /// <summary>Largest sample value, 2^depth − 1.</summary>
    public int MaxValue => (1 << BitDepth) - 1;

    /// <summary>Samples scaled to [0, 1] (sample / (2^depth − 1)), channels last.</summary>
    public float[] ToFloat()
    {
        var f = new float[Samples.Length];
        float scale = 1f / MaxValue;
        for (int i = 0; i < f.Length; i++) f[i] = Samples[i] * scale;
        return f;
    }

    /// <summary>An image from float samples in [0, 1] (clamped, rounded to nearest) at 8 or 16 bits.</summary>
    public static PngImage FromFloat(ReadOnlySpan<float> values, int width, int height, int channels, int bitDepth = 8)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"Only 8- and 16-bit images can be written, got {bitDepth}.");
        int max = (1 << bitDepth) - 1;
        var s = new ushort[values.Length];
        for (int i = 0; i < s.Length; i++)
        {
            float v = values[i];
            s[i] = float.IsNaN(v) ? (ushort)0 : (ushort)Math.Clamp((int)MathF.Round(v * max), 0, max);
        }
        return new PngImage(width, height, channels, bitDepth, s);
    }
}
