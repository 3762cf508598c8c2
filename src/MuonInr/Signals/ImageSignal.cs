using MuonInr.Tensors;

namespace MuonInr.Signals;

/// <summary>
/// An image as an INR signal: pixel values in [0, 1], channels last [height, width, channels], and the
/// coordinate grid of PAPER.md: linspace(−1, 1) per axis, x along the width, y along the height,
/// pixels in row-major order, so coordinate row r·W + c is (x_c, y_r) and target row r·W + c is pixel (r, c).
/// </summary>
public sealed class ImageSignal
{
    /// <summary>Wraps pixel data [height, width, channels] (not copied).</summary>
    public ImageSignal(float[] pixels, int height, int width, int channels)
    {
        if (height <= 0 || width <= 0 || channels <= 0)
            throw new ArgumentException($"Image dimensions must be positive, got {height}x{width}x{channels}.");
        if (pixels.Length != (long)height * width * channels)
            throw new ArgumentException($"Image of {height}x{width}x{channels} needs {(long)height * width * channels} values, got {pixels.Length}.");
        Pixels = pixels; Height = height; Width = width; Channels = channels;
    }

    /// <summary>Pixel values [height, width, channels], row-major.</summary>
    public float[] Pixels { get; }
    /// <summary>Rows.</summary>
    public int Height { get; }
    /// <summary>Columns.</summary>
    public int Width { get; }
    /// <summary>Channels (1 gray, 3 RGB, …).</summary>
    public int Channels { get; }
    /// <summary>Number of pixels (rows of the coordinate and target tensors).</summary>
    public int PixelCount => Height * Width;

    /// <summary>linspace(−1, 1, n)[i]; PyTorch gives [−1] for n = 1, and so does this.</summary>
    public static float Linspace(int i, int n) => n == 1 ? -1f : (float)(-1.0 + 2.0 * i / (n - 1));

    /// <summary>Coordinates [H·W, 2] as (x, y); outside any scope.</summary>
    public Tensor Coordinates()
    {
        var t = Tensor.Zeros(PixelCount, 2).Escape();
        var s = t.Span;
        for (int r = 0; r < Height; r++)
        {
            float y = Linspace(r, Height);
            for (int c = 0; c < Width; c++)
            {
                int i = (r * Width + c) * 2;
                s[i] = Linspace(c, Width);
                s[i + 1] = y;
            }
        }
        return t;
    }

    /// <summary>Targets [H·W, channels]; outside any scope.</summary>
    public Tensor Targets() => Tensor.FromData(Pixels, PixelCount, Channels).Escape();
}
