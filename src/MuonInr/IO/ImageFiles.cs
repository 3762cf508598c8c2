namespace MuonInr.IO;

/// <summary>A decoded image file: values in [0, 1], [height, width, channels] row-major.</summary>
/// <param name="Pixels">Values.</param>
/// <param name="Height">Rows.</param>
/// <param name="Width">Columns.</param>
/// <param name="Channels">1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.</param>
public sealed record ImageFile(float[] Pixels, int Height, int Width, int Channels);

/// <summary>Reads image files for the tasks (PNG for now; the format registry grows in IO).</summary>
public static class ImageFiles
{
    /// <summary>Reads <paramref name="path"/> with a clear one-line error for a directory, a missing file or an unsupported format.</summary>
    public static ImageFile Read(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"'{path}' is a directory, not an image file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        var png = Png.Read(path);
        return new ImageFile(png.ToFloat(), png.Height, png.Width, png.Channels);
    }
}
