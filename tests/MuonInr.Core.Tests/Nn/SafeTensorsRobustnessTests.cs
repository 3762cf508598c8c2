using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Nn;

/// <summary>
/// Hostile and damaged safetensors files: every case ends in a correct decode or in
/// <see cref="InvalidDataException"/> with one non-empty line, quickly and without large allocations.
/// </summary>
public class SafeTensorsRobustnessTests
{
    private const string Source = "fuzz.safetensors";
    // A damaged header may allocate a JSON document and a few strings, never anything sized by a claim.
    private const long MaxAllocationPerCase = 1 << 20;

    private static readonly float[] A = [1f, -2f, 3.5f, 0.25f, 1e-3f, -7f];
    private static readonly float[] B = [10f, 20f, 30f, 40f];
    private static readonly float[] C = [float.Pi];

    private static byte[] ValidFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"robust-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var scope = new TensorScope())
            {
                var tensors = new Dictionary<string, Tensor>
                {
                    ["a"] = Tensor.FromData(A, 2, 3),
                    ["b"] = Tensor.FromData(B, 4),
                    ["c"] = Tensor.FromData(C, 1),
                };
                SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["step"] = "7" });
            }
            return System.IO.File.ReadAllBytes(path);
        }
        finally { System.IO.File.Delete(path); }
    }

    private static int HeaderEnd(byte[] file) => 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(file);

    /// <summary>Loads <paramref name="bytes"/>; returns the tensors' data, or null with the message checked.</summary>
    private static Dictionary<string, float[]>? Decode(byte[] bytes, out string? error)
    {
        error = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var loaded = SafeTensors.Load(bytes, Source, out _);
            var data = loaded.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
            foreach (var t in loaded.Values) t.Dispose();
            return data;
        }
        catch (InvalidDataException e)
        {
            error = e.Message;
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotContain('\n', e.Message);
            Assert.DoesNotContain('\r', e.Message);
            Assert.Contains(Source, e.Message);
            return null;
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < MaxAllocationPerCase + 4L * bytes.Length, $"one load allocated {allocated} bytes");
        }
    }

    private static string Reject(byte[] bytes)
    {
        var data = Decode(bytes, out string? error);
        Assert.True(data is null, "expected InvalidDataException, but the file decoded");
        return error!;
    }

    [Fact]
    public void The_valid_file_round_trips()
    {
        var data = Decode(ValidFile(), out _)!;
        Assert.Equal(A, data["a"]);
        Assert.Equal(B, data["b"]);
        Assert.Equal(C, data["c"]);
    }

    [Fact]
    public void Truncation_at_every_byte_is_rejected()
    {
        var file = ValidFile();
        var sw = Stopwatch.StartNew();
        for (int len = 0; len < file.Length; len++) Reject(file[..len]);
        // One extra trailing byte is a hole the format forbids too.
        Reject([.. file, 0]);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Every_header_bit_flip_decodes_or_is_rejected()
    {
        var file = ValidFile();
        int headerEnd = HeaderEnd(file);
        var sw = Stopwatch.StartNew();
        int rejected = 0;
        for (int bit = 0; bit < headerEnd * 8; bit++)
        {
            var damaged = (byte[])file.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var data = Decode(damaged, out _);
            if (data is null) { rejected++; continue; }
            // A flip the format cannot notice (a renamed tensor, a changed metadata string, padding) still
            // decodes every byte of the data section.
            Assert.Equal(A.Length + B.Length + C.Length, data.Values.Sum(v => v.Length));
        }
        Assert.True(rejected > headerEnd * 8 / 4, $"only {rejected} flips were rejected");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), $"took {sw.Elapsed}");
    }

    [Fact]
    public void Data_bit_flips_decode_with_only_the_flipped_element_changed()
    {
        var file = ValidFile();
        int headerEnd = HeaderEnd(file);
        var original = Decode(file, out _)!;
        var all = original["a"].Concat(original["b"]).Concat(original["c"]).ToArray(); // data order = name order
        for (int bit = headerEnd * 8; bit < file.Length * 8; bit += 5)
        {
            var damaged = (byte[])file.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            var data = Decode(damaged, out _);
            Assert.NotNull(data);
            var flat = data["a"].Concat(data["b"]).Concat(data["c"]).ToArray();
            int element = (bit / 8 - headerEnd) / 4;
            for (int i = 0; i < all.Length; i++)
            {
                if (i == element) Assert.NotEqual(BitConverter.SingleToInt32Bits(all[i]), BitConverter.SingleToInt32Bits(flat[i]));
                else Assert.Equal(all[i], flat[i]);
            }
        }
    }

    private static byte[] File(string header, int dataBytes, long? headerLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, headerLength ?? h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static string T(string name, string dtype, string shape, string offsets)
        => $"\"{name}\":{{\"dtype\":{dtype},\"shape\":{shape},\"data_offsets\":{offsets}}}";

    public static TheoryData<string, string, int, string> HostileHeaders() => new()
    {
        { "array root", "[]", 0, "not an object" },
        { "string root", "\"x\"", 0, "not an object" },
        { "not JSON", "{\"a\":", 0, "does not parse" },
        { "trailing garbage", "{} x", 0, "does not parse" },
        { "entry is a number", "{\"a\":1}", 4, "tensor 'a' is a Number" },
        { "entry is an array", "{\"a\":[1,2]}", 4, "tensor 'a' is a Array" },
        { "dtype missing", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "no string \"dtype\" (got nothing)" },
        { "dtype is a number", "{" + T("a", "5", "[1]", "[0,4]") + "}", 4, "no string \"dtype\" (got 5)" },
        { "dtype unsupported", "{" + T("a", "\"I32\"", "[1]", "[0,4]") + "}", 4, "unsupported dtype 'I32'" },
        { "shape is a string", "{" + T("a", "\"F32\"", "\"1\"", "[0,4]") + "}", 4, "no array \"shape\"" },
        { "shape fraction", "{" + T("a", "\"F32\"", "[1.5]", "[0,4]") + "}", 4, "shape dimension 1.5" },
        { "shape negative", "{" + T("a", "\"F32\"", "[-1]", "[0,4]") + "}", 4, "shape dimension -1" },
        { "shape beyond int", "{" + T("a", "\"F32\"", "[2147483648]", "[0,4]") + "}", 4, "shape dimension 2147483648" },
        { "shape string element", "{" + T("a", "\"F32\"", "[\"2\"]", "[0,4]") + "}", 4, "shape dimension \"2\"" },
        { "shape product overflows", "{" + T("a", "\"F32\"", "[2147483647,2147483647,2147483647]", "[0,4]") + "}", 4, "overflows" },
        { "bytes overflow", "{" + T("a", "\"F64\"", "[2147483647,2147483647,2147483647,1]", "[0,4]") + "}", 4, "overflows" },
        { "offsets missing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "data_offsets nothing" },
        { "one offset", "{" + T("a", "\"F32\"", "[1]", "[0]") + "}", 4, "not a pair" },
        { "three offsets", "{" + T("a", "\"F32\"", "[1]", "[0,4,8]") + "}", 4, "not a pair" },
        { "offsets object", "{" + T("a", "\"F32\"", "[1]", "{}") + "}", 4, "not a pair" },
        { "negative offset", "{" + T("a", "\"F32\"", "[1]", "[-4,0]") + "}", 4, "data offset -4" },
        { "fractional offset", "{" + T("a", "\"F32\"", "[1]", "[0,4.5]") + "}", 4, "data offset 4.5" },
        { "string offset", "{" + T("a", "\"F32\"", "[1]", "[\"0\",4]") + "}", 4, "data offset \"0\"" },
        { "huge offset", "{" + T("a", "\"F32\"", "[1]", "[0,1e30]") + "}", 4, "data offset 1e30" },
        { "begin after end", "{" + T("a", "\"F32\"", "[1]", "[8,4]") + "}", 8, "begin after end" },
        { "end beyond data", "{" + T("a", "\"F32\"", "[2]", "[0,8]") + "}", 4, "beyond the 4-byte data section" },
        { "end far beyond data", "{" + T("a", "\"F32\"", "[1]", "[9223372036854775800,9223372036854775804]") + "}", 4, "beyond the 4-byte data section" },
        { "length disagrees", "{" + T("a", "\"F32\"", "[2]", "[0,4]") + "}", 4, "needs 8 bytes" },
        { "huge shape, small offsets", "{" + T("a", "\"F32\"", "[65536,65536]", "[0,4]") + "}", 4, "needs 17179869184 bytes" },
        { "overlap", "{" + T("a", "\"F32\"", "[2]", "[0,8]") + "," + T("b", "\"F32\"", "[2]", "[4,12]") + "}", 12, "overlaps tensor 'a'" },
        { "same range twice", "{" + T("a", "\"F32\"", "[1]", "[0,4]") + "," + T("b", "\"F32\"", "[1]", "[0,4]") + "}", 4, "overlaps" },
        { "hole", "{" + T("a", "\"F32\"", "[1]", "[0,4]") + "," + T("b", "\"F32\"", "[1]", "[8,12]") + "}", 12, "leaving a hole after offset 4" },
        { "hole at start", "{" + T("a", "\"F32\"", "[1]", "[4,8]") + "}", 8, "leaving a hole after offset 0" },
        { "trailing data", "{" + T("a", "\"F32\"", "[1]", "[0,4]") + "}", 8, "cover 4 of the 8 data bytes" },
        { "data but no tensors", "{}", 4, "cover 0 of the 4 data bytes" },
        { "duplicate name", "{" + T("a", "\"F32\"", "[1]", "[0,4]") + "," + T("a", "\"F32\"", "[1]", "[4,8]") + "}", 8, "tensor 'a' appears twice" },
        { "metadata not an object", "{\"__metadata__\":[1]}", 0, "\"__metadata__\" is a Array" },
        { "metadata value not a string", "{\"__metadata__\":{\"k\":3}}", 0, "metadata 'k' is a Number" },
        { "control characters in a name", "{" + T("a\\nb\\u0000", "\"I8\"", "[1]", "[0,1]") + "}", 1, "tensor 'a\\u000ab\\u0000'" },
        { "lone surrogate in a name", "{\"\\ud800\":{}}", 0, "unreadable text" },
        { "lone surrogate in metadata", "{\"__metadata__\":{\"k\":\"\\udc00\"}}", 0, "unreadable text" },
        { "deep nesting", "{\"a\":" + new string('[', 200) + new string(']', 200) + "}", 0, "does not parse" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void Hostile_header_is_rejected_with_one_clear_line(string name, string header, int dataBytes, string expected)
    {
        _ = name;
        string message = Reject(File(header, dataBytes));
        Assert.Contains(expected, message);
    }

    [Fact]
    public void Invalid_utf8_in_the_header_is_rejected()
    {
        var file = File("{\"__metadata__\":{\"k\":\"ab\"}}", 0);
        file[8 + 22] = 0xDF; // a lead byte with no continuation, inside the string "ab"
        Assert.Contains("not valid UTF-8 (header byte 22)", Reject(file));
    }

    [Fact]
    public void Zero_element_tensors_and_an_empty_file_decode()
    {
        var data = Decode(File("{" + T("e", "\"F32\"", "[0,5]", "[0,0]") + "," + T("f", "\"F16\"", "[2]", "[0,4]") + "}", 4), out _)!;
        Assert.Empty(data["e"]);
        Assert.Equal([0f, 0f], data["f"]);
        Assert.Empty(Decode(File("{}", 0), out _)!);
        Assert.Empty(Decode(File("{\"__metadata__\":{}}  ", 0), out _)!);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData((100L << 20) + 1)]
    [InlineData(int.MaxValue + 1L)]
    public void Header_length_that_does_not_fit_is_rejected(long headerLength)
    {
        string message = Reject(File("{}", 0, headerLength));
        Assert.Contains($"header size {headerLength}", message);
    }

    [Fact]
    public void Header_length_one_past_the_file_is_rejected()
    {
        var file = ValidFile();
        BinaryPrimitives.WriteInt64LittleEndian(file, file.Length - 8 + 1);
        Assert.Contains("is outside", Reject(file));
        BinaryPrimitives.WriteInt64LittleEndian(file, file.Length - 8); // fits, but the data is now JSON garbage
        Reject(file);
    }

    [Fact]
    public void Errors_from_a_path_name_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"hostile-{Guid.NewGuid():N}.safetensors");
        try
        {
            System.IO.File.WriteAllBytes(path, File("{" + T("w", "\"F32\"", "[3]", "[0,8]") + "}", 8));
            var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("tensor 'w'", e.Message);
            Assert.Contains("needs 12 bytes", e.Message);
        }
        finally { System.IO.File.Delete(path); }
    }
}
