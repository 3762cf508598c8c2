namespace MuonInr.Signals;

/// <summary>Pure image transforms on float images [height, width, channels].</summary>
public static class ImageOps
{
    /// <summary>
    /// Box downsampling by an integer factor: each output pixel is the mean of a factor × factor block
    /// (trailing rows/columns that do not fill a block are dropped), as PIL's reduce() and PAPER.md's
    /// protocols do.
    /// </summary>
    public static float[] BoxDownsample(ReadOnlySpan<float> image, int height, int width, int channels, int factor, out int outHeight, out int outWidth)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), $"Downsampling factor must be ≥ 1, got {factor}.");
        outHeight = height / factor; outWidth = width / factor;
        if (outHeight == 0 || outWidth == 0) throw new ArgumentException($"Downsampling a {height}x{width} image by {factor} leaves nothing.");
        var o = new float[outHeight * outWidth * channels];
        double inv = 1.0 / (factor * factor);
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
                for (int c = 0; c < channels; c++)
                {
                    double s = 0;
                    for (int dy = 0; dy < factor; dy++)
                        for (int dx = 0; dx < factor; dx++)
                            s += image[((y * factor + dy) * width + x * factor + dx) * channels + c];
                    o[(y * outWidth + x) * channels + c] = (float)(s * inv);
                }
        return o;
    }

    /// <summary>Centre crop to <paramref name="cropHeight"/> × <paramref name="cropWidth"/> (offsets rounded down).</summary>
    public static float[] CenterCrop(ReadOnlySpan<float> image, int height, int width, int channels, int cropHeight, int cropWidth)
    {
        if (cropHeight <= 0 || cropWidth <= 0 || cropHeight > height || cropWidth > width)
            throw new ArgumentException($"Cannot crop a {height}x{width} image to {cropHeight}x{cropWidth}.");
        int y0 = (height - cropHeight) / 2, x0 = (width - cropWidth) / 2;
        var o = new float[cropHeight * cropWidth * channels];
        for (int y = 0; y < cropHeight; y++)
            image.Slice(((y0 + y) * width + x0) * channels, cropWidth * channels).CopyTo(o.AsSpan(y * cropWidth * channels));
        return o;
    }

    /// <summary>Luma Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's convert("L") without its rounding); alpha dropped.</summary>
    public static float[] ToGray(ReadOnlySpan<float> image, int height, int width, int channels)
    {
        var o = new float[height * width];
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = channels switch
            {
                1 or 2 => image[i * channels],
                _ => 0.299f * image[i * channels] + 0.587f * image[i * channels + 1] + 0.114f * image[i * channels + 2],
            };
        }
        return o;
    }

    /// <summary>Drops the alpha channel of gray+alpha or RGBA images (INRs fit colour only).</summary>
    public static float[] DropAlpha(ReadOnlySpan<float> image, int height, int width, int channels, out int outChannels)
    {
        outChannels = channels is 2 or 4 ? channels - 1 : channels;
        if (outChannels == channels) return image.ToArray();
        var o = new float[height * width * outChannels];
        for (int i = 0; i < height * width; i++)
            for (int c = 0; c < outChannels; c++) o[i * outChannels + c] = image[i * channels + c];
        return o;
    }
}
