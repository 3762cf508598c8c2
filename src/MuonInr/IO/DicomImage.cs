namespace MuonInr.IO;

/// <summary>
/// One decoded 2-D DICOM slice: the stored pixel values passed through the modality rescale
/// (value = stored × <see cref="RescaleSlope"/> + <see cref="RescaleIntercept"/>, e.g. Hounsfield units for CT),
/// row-major [rows, columns]. The photometric interpretation is reported, not applied: for MONOCHROME1
/// (low values display white) the values are exactly those of MONOCHROME2, and a viewer inverts them.
/// </summary>
public sealed class DicomImage
{
    internal DicomImage(int rows, int columns, float[] values, int bitsAllocated, int bitsStored, bool signed,
        bool monochrome1, double slope, double intercept, long rawMin, long rawMax, string transferSyntax)
    {
        Rows = rows; Columns = columns; Values = values; BitsAllocated = bitsAllocated; BitsStored = bitsStored;
        IsSigned = signed; IsMonochrome1 = monochrome1; RescaleSlope = slope; RescaleIntercept = intercept;
        RawMin = rawMin; RawMax = rawMax; TransferSyntaxUid = transferSyntax;
    }

    /// <summary>Rows (0028,0010): the image height.</summary>
    public int Rows { get; }
    /// <summary>Columns (0028,0011): the image width.</summary>
    public int Columns { get; }
    /// <summary>Rescaled values (modality units) [rows, columns], computed in double and rounded to float32.</summary>
    public float[] Values { get; }
    /// <summary>Bits Allocated (0028,0100): 8 or 16.</summary>
    public int BitsAllocated { get; }
    /// <summary>Bits Stored (0028,0101): 1..<see cref="BitsAllocated"/>.</summary>
    public int BitsStored { get; }
    /// <summary>Pixel Representation (0028,0103) = 1: stored values are two's complement.</summary>
    public bool IsSigned { get; }
    /// <summary>Photometric Interpretation (0028,0004) is MONOCHROME1: the smallest value is meant to display white.</summary>
    public bool IsMonochrome1 { get; }
    /// <summary>Rescale Slope (0028,1053); 1 when absent.</summary>
    public double RescaleSlope { get; }
    /// <summary>Rescale Intercept (0028,1052); 0 when absent.</summary>
    public double RescaleIntercept { get; }
    /// <summary>Smallest stored (raw, before rescale) value.</summary>
    public long RawMin { get; }
    /// <summary>Largest stored (raw, before rescale) value.</summary>
    public long RawMax { get; }
    /// <summary>Transfer Syntax UID of the data set (implicit or explicit VR little endian).</summary>
    public string TransferSyntaxUid { get; }
}
