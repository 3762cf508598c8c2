using System.Buffers.Binary;
using System.Text.Json;
using MuonInr.IO;
using MuonInr.Tests.TestSupport;

namespace MuonInr.Tests.IO;

public class DicomTests
{
    private static JsonElement[] CaseList() =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Path_("dicom", "cases.json"))).RootElement.EnumerateArray().ToArray();

    private static JsonElement Case(string file) => CaseList().Single(e => e.GetProperty("file").GetString() == file);

    public static IEnumerable<object[]> Readable() =>
        CaseList().Where(c => c.TryGetProperty("values", out _)).Select(c => new object[] { c.GetProperty("file").GetString()! });

    public static IEnumerable<object[]> Refused() =>
        CaseList().Where(c => c.TryGetProperty("error", out _)).Select(c => new object[] { c.GetProperty("file").GetString()! });

    public static IEnumerable<object[]> All() => CaseList().Select(c => new object[] { c.GetProperty("file").GetString()! });

    [Theory]
    [MemberData(nameof(Readable))]
    public void Every_fixture_equals_pydicoms_rescaled_values_exactly(string file)
    {
        var c = Case(file);
        var d = Dicom.Read(Fixtures.Path_("dicom", file));
        Assert.Equal((c.GetProperty("rows").GetInt32(), c.GetProperty("columns").GetInt32()), (d.Rows, d.Columns));
        Assert.Equal((c.GetProperty("bits_allocated").GetInt32(), c.GetProperty("bits_stored").GetInt32()), (d.BitsAllocated, d.BitsStored));
        Assert.Equal(c.GetProperty("signed").GetBoolean(), d.IsSigned);
        Assert.Equal(c.GetProperty("monochrome1").GetBoolean(), d.IsMonochrome1);
        Assert.Equal(c.GetProperty("slope").GetDouble(), d.RescaleSlope);
        Assert.Equal(c.GetProperty("intercept").GetDouble(), d.RescaleIntercept);
        Assert.Equal((c.GetProperty("raw_min").GetInt64(), c.GetProperty("raw_max").GetInt64()), (d.RawMin, d.RawMax));
        Assert.Equal(c.GetProperty("transfer_syntax").GetString(), d.TransferSyntaxUid);
        Assert.Equal(c.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray(), d.Values);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Unsupported_files_are_refused_naming_the_reason(string file)
    {
        var e = Assert.Throws<DataFormatException>(() => Dicom.Read(Fixtures.Path_("dicom", file)));
        ImageIoTests.AssertOneLine(e.Message);
        Assert.Contains(Case(file).GetProperty("error").GetString()!, e.Message);
        Assert.Contains(file, e.Message);
        // ImageIo sends the same file to the same reader.
        Assert.Equal(e.Message, Assert.Throws<DataFormatException>(() => ImageIo.Read(Fixtures.Path_("dicom", file))).Message);
    }

    [Fact]
    public void A_compressed_transfer_syntax_is_refused_with_its_uid_and_the_supported_ones()
    {
        var e = Assert.Throws<DataFormatException>(() => Dicom.Read(Fixtures.Path_("dicom", "jpeg_baseline_header.dcm")));
        Assert.Contains("1.2.840.10008.1.2.4.50 (JPEG baseline)", e.Message);
        Assert.Contains(Dicom.ImplicitVRLittleEndian, e.Message);
        Assert.Contains(Dicom.ExplicitVRLittleEndian, e.Message);
    }

    [Fact]
    public void Elements_inside_sequences_are_skipped_not_taken_for_the_slices_own()
    {
        // The icon image in the sequence is 3x2 with its own Pixel Data; the slice is 11x6.
        var d = Dicom.Read(Fixtures.Path_("dicom", "sequence_before_pixels.dcm"));
        Assert.Equal((6, 11), (d.Rows, d.Columns));
        var implicitVr = Dicom.Read(Fixtures.Path_("dicom", "implicit_sequence_signed.dcm"));
        Assert.Equal((4, 5), (implicitVr.Rows, implicitVr.Columns));
    }

    [Theory]
    [InlineData("implicit_u16.dcm")] [InlineData("explicit_s16_rescale.dcm")] [InlineData("monochrome1.dcm")] [InlineData("explicit_u8_odd.dcm")]
    public void ImageIo_normalises_min_max_and_inverts_monochrome1(string file)
    {
        var d = Dicom.Read(Fixtures.Path_("dicom", file));
        var img = ImageIo.Read(Fixtures.Path_("dicom", file));
        Assert.Equal((ImageFormat.Dicom, d.Rows, d.Columns, 1, d.BitsStored), (img.Format, img.Height, img.Width, img.Channels, img.BitDepth));
        double min = d.Values.Min(), max = d.Values.Max();
        Assert.Equal(d.IsMonochrome1 ? (max, min) : (min, max), (img.SourceZero, img.SourceOne));
        for (int i = 0; i < d.Values.Length; i++)
        {
            double t = (d.Values[i] - min) / (max - min);
            Assert.Equal(d.IsMonochrome1 ? 1 - t : t, img.Pixels[i], 1e-6);
        }
        Assert.Equal(0f, img.Pixels.Min());
        Assert.Equal(1f, img.Pixels.Max());
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Truncation_at_every_byte_gives_a_one_line_DataFormatException(string file)
    {
        var good = File.ReadAllBytes(Fixtures.Path_("dicom", file));
        ImageIoTests.WithinTimeCap(report =>
        {
            for (int cut = 0; cut < good.Length; cut++)
            {
                report($"{file} cut at {cut}");
                var e = Assert.Throws<DataFormatException>(() => Dicom.Decode(good.AsSpan(0, cut), file));
                ImageIoTests.AssertOneLine(e.Message);
                Assert.Contains(file, e.Message);
            }
        });
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Every_bit_flip_and_length_lie_ends_in_a_decode_or_a_one_line_DataFormatException(string file)
    {
        var good = File.ReadAllBytes(Fixtures.Path_("dicom", file));
        uint[] lies = [0, 1, 2, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF];
        ImageIoTests.WithinTimeCap(report =>
        {
            for (int i = 0; i < good.Length; i++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    report($"{file} byte {i} bit {bit}");
                    var b = (byte[])good.Clone();
                    b[i] ^= (byte)(1 << bit);
                    DecodeOrCleanError(b, file);
                }
                if (i + 4 > good.Length) continue;
                foreach (uint v in lies)
                {
                    report($"{file} u32 {v} at {i}");
                    var b = (byte[])good.Clone();
                    BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i), v);
                    DecodeOrCleanError(b, file);
                }
            }
        });
    }

    [Fact]
    public void Huge_declared_dimensions_are_refused_by_the_pixel_data_length()
    {
        var b = File.ReadAllBytes(Fixtures.Path_("dicom", "implicit_u16.dcm"));
        // Implicit VR: tag (0028,0010) then a 4-byte length 2 then the value.
        int rows = IndexOf(b, [0x28, 0x00, 0x10, 0x00, 2, 0, 0, 0]) + 8, cols = IndexOf(b, [0x28, 0x00, 0x11, 0x00, 2, 0, 0, 0]) + 8;
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(rows), 65535);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(cols), 65535);
        var e = Assert.Throws<DataFormatException>(() => Dicom.Decode(b, "huge.dcm"));
        Assert.Contains("65535x65535", e.Message);
        Assert.Contains("Pixel Data has 240 bytes", e.Message);
    }

    [Fact]
    public void Deeply_nested_sequences_are_refused_without_exhausting_the_stack()
    {
        var good = File.ReadAllBytes(Fixtures.Path_("dicom", "sequence_before_pixels.dcm"));
        int metaEnd = 132;
        while (BinaryPrimitives.ReadUInt16LittleEndian(good.AsSpan(metaEnd)) == 2)
        {
            // File meta elements are explicit VR; UI/UL/OB used there: long form for OB.
            string vr = System.Text.Encoding.ASCII.GetString(good, metaEnd + 4, 2);
            metaEnd += vr == "OB" ? 12 + (int)BinaryPrimitives.ReadUInt32LittleEndian(good.AsSpan(metaEnd + 8)) : 8 + BinaryPrimitives.ReadUInt16LittleEndian(good.AsSpan(metaEnd + 6));
        }
        using var ms = new MemoryStream();
        ms.Write(good, 0, metaEnd);
        byte[] sq = [0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]; // (0008,1115) SQ, undefined length
        byte[] item = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]; // item, undefined length
        for (int i = 0; i < 100_000; i++) { ms.Write(sq); ms.Write(item); }
        var e = Assert.Throws<DataFormatException>(() => Dicom.Decode(ms.ToArray(), "deep.dcm"));
        Assert.Contains("nested deeper", e.Message);
    }

    [Fact]
    public void Missing_files_and_non_dicom_bytes_give_clear_errors()
    {
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => Dicom.Read(Fixtures.Path_("dicom", "absent.dcm"))).Message);
        Assert.Contains("'DICM'", Assert.Throws<DataFormatException>(() => Dicom.Decode(new byte[200], "zeros.dcm")).Message);
        Assert.Contains("is a directory", Assert.Throws<DataFormatException>(() => Dicom.Read(Fixtures.Path_("dicom"))).Message);
    }

    private static void DecodeOrCleanError(byte[] bytes, string name)
    {
        DicomImage d;
        try { d = Dicom.Decode(bytes, name); }
        catch (DataFormatException e) { ImageIoTests.AssertOneLine(e.Message); return; }
        Assert.Equal((long)d.Rows * d.Columns, d.Values.LongLength);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        int i = haystack.AsSpan().IndexOf(needle);
        Assert.True(i >= 0);
        return i;
    }
}
