using MuonInr.Tensors;

namespace MuonInr.Signals;

/// <summary>
/// Separable resampling of a channels-last image [height, width, channels] to [outHeight, outWidth,
/// channels] as a linear operator: a pass along the width, then one along the height (PyTorch's order).
/// As a forward model it puts the SISR degradation in the graph (<see cref="Ops.Apply"/>; gradient =
/// adjoint = the transposed passes in reverse order). Not thread-safe: it owns one scratch image.
/// </summary>
public sealed class ImageResampler : ILinearOperator
{
    private readonly Resampling1D _rows, _cols;
    private readonly float[] _scratch; // [height, outWidth, channels]

    /// <summary>Combines a resampling of the rows (height) and of the columns (width).</summary>
    public ImageResampler(Resampling1D alongHeight, Resampling1D alongWidth, int channels)
    {
        if (channels <= 0) throw new ArgumentException($"Channels must be positive, got {channels}.");
        _rows = alongHeight; _cols = alongWidth; Channels = channels;
        _scratch = new float[alongHeight.InputSize * alongWidth.OutputSize * channels];
    }

    /// <summary>PyTorch's <c>interpolate(mode='bicubic', antialias=True)</c> from [h, w] to [outH, outW].</summary>
    public static ImageResampler BicubicAntialiased(int height, int width, int outHeight, int outWidth, int channels)
        => new(Resampling1D.BicubicAntialiased(height, outHeight), Resampling1D.BicubicAntialiased(width, outWidth), channels);

    /// <summary>PyTorch's <c>interpolate(mode='bicubic', align_corners=False)</c> from [h, w] to [outH, outW].</summary>
    public static ImageResampler Bicubic(int height, int width, int outHeight, int outWidth, int channels)
        => new(Resampling1D.Bicubic(height, outHeight), Resampling1D.Bicubic(width, outWidth), channels);

    /// <summary>Input rows.</summary>
    public int Height => _rows.InputSize;
    /// <summary>Input columns.</summary>
    public int Width => _cols.InputSize;
    /// <summary>Output rows.</summary>
    public int OutHeight => _rows.OutputSize;
    /// <summary>Output columns.</summary>
    public int OutWidth => _cols.OutputSize;
    /// <summary>Channels (interleaved, last).</summary>
    public int Channels { get; }
    /// <inheritdoc />
    public int InputLength => Height * Width * Channels;
    /// <inheritdoc />
    public int OutputLength => OutHeight * OutWidth * Channels;

    /// <summary>Resamples into a new array.</summary>
    public float[] Apply(ReadOnlySpan<float> image)
    {
        var y = new float[OutputLength];
        Apply(image, y);
        return y;
    }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> x, Span<float> y)
    {
        Check(x.Length, y.Length);
        int c = Channels, w = Width, ow = OutWidth;
        var tmp = _scratch.AsSpan();
        tmp.Clear();
        for (int r = 0; r < Height; r++)
            for (int j = 0; j < ow; j++)
            {
                var wt = _cols.Weights[j];
                int s = _cols.Start[j];
                for (int ch = 0; ch < c; ch++)
                {
                    float acc = 0;
                    for (int k = 0; k < wt.Length; k++) acc += wt[k] * x[(r * w + s + k) * c + ch];
                    tmp[(r * ow + j) * c + ch] = acc;
                }
            }
        y.Clear();
        int rowLen = ow * c;
        for (int i = 0; i < OutHeight; i++)
        {
            var wt = _rows.Weights[i];
            int s = _rows.Start[i];
            var dst = y.Slice(i * rowLen, rowLen);
            for (int k = 0; k < wt.Length; k++)
                TensorPrimitives.MultiplyAdd(tmp.Slice((s + k) * rowLen, rowLen), wt[k], dst, dst);
        }
    }

    /// <inheritdoc />
    public void ApplyAdjoint(ReadOnlySpan<float> y, Span<float> x)
    {
        Check(x.Length, y.Length);
        int c = Channels, w = Width, ow = OutWidth, rowLen = ow * c;
        var tmp = _scratch.AsSpan();
        tmp.Clear();
        for (int i = 0; i < OutHeight; i++)
        {
            var wt = _rows.Weights[i];
            int s = _rows.Start[i];
            var src = y.Slice(i * rowLen, rowLen);
            for (int k = 0; k < wt.Length; k++)
            {
                var dst = tmp.Slice((s + k) * rowLen, rowLen);
                TensorPrimitives.MultiplyAdd(src, wt[k], dst, dst);
            }
        }
        x.Clear();
        for (int r = 0; r < Height; r++)
            for (int j = 0; j < ow; j++)
            {
                var wt = _cols.Weights[j];
                int s = _cols.Start[j];
                for (int ch = 0; ch < c; ch++)
                {
                    float v = tmp[(r * ow + j) * c + ch];
                    for (int k = 0; k < wt.Length; k++) x[(r * w + s + k) * c + ch] += wt[k] * v;
                }
            }
    }

    private void Check(int xLength, int yLength)
    {
        if (xLength != InputLength || yLength != OutputLength)
            throw new ArgumentException($"Resampler {Height}x{Width}x{Channels} → {OutHeight}x{OutWidth}x{Channels} needs {InputLength} input and {OutputLength} output values, got {xLength} and {yLength}.");
    }
}
