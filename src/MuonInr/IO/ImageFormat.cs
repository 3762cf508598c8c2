namespace MuonInr.IO;

/// <summary>Image file formats <see cref="ImageIo.Read(string)"/> recognises by their leading bytes.</summary>
public enum ImageFormat
{
    /// <summary>PNG, decoded by <see cref="Png"/> (1–16 bits).</summary>
    Png,
    /// <summary>JPEG (baseline and progressive), 8 bits, gray or RGB.</summary>
    Jpeg,
    /// <summary>Windows bitmap, 8 bits per channel; palette images expand to RGB.</summary>
    Bmp,
    /// <summary>Truevision TGA, 8 bits per channel.</summary>
    Tga,
    /// <summary>GIF, first frame, 8 bits per channel, RGB (RGBA when a pixel is transparent).</summary>
    Gif,
    /// <summary>DICOM (PS3.10 file), one uncompressed grayscale slice, decoded by <see cref="Dicom"/>.</summary>
    Dicom,
}
