using System.Globalization;
using System.Text;
using MuonInr.Data;

namespace MuonInr.Core.Tests.Data;

/// <summary>The MNIST loader on generated files (always) and on the real shared/data/mnist (when present).</summary>
public sealed class MnistDigitsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "muoninr-mnist-" + Guid.NewGuid().ToString("N"));

    public MnistDigitsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Digit i of class c has every pixel equal to (c·100 + i + 1)/10000, so its origin can be read back.</summary>
    private static string ClassJson(int c, int count)
    {
        var sb = new StringBuilder("{ \"data\": [");
        for (int i = 0; i < count; i++)
            for (int p = 0; p < 784; p++)
                sb.Append(i + p > 0 ? "," : "").Append(((c * 100 + i + 1) / 10000.0).ToString(CultureInfo.InvariantCulture));
        return sb.Append("]}").ToString();
    }

    private void WriteGood(Func<int, int> countOf)
    {
        for (int c = 0; c < 10; c++) File.WriteAllText(Path.Combine(_folder, $"{c}.json"), ClassJson(c, countOf(c)));
    }

    [Fact]
    public void Loads_every_class_in_order_as_nhwc_images()
    {
        WriteGood(c => 1 + c % 3);
        var set = MnistDigits.Load(_folder);
        int expected = Enumerable.Range(0, 10).Sum(c => 1 + c % 3);
        Assert.Equal(expected, set.Count);
        Assert.Equal((28, 28, 1, 10), (set.Height, set.Width, set.Channels, set.ClassCount));
        Assert.Equal(Enumerable.Range(0, 10).Select(c => 1 + c % 3).ToArray(), set.ClassCounts());
        // Image order: class 0's digits, then class 1's, …; each digit's value encodes (class, index).
        int img = 0;
        for (int c = 0; c < 10; c++)
            for (int i = 0; i < 1 + c % 3; i++, img++)
            {
                Assert.Equal(c, set.Labels[img]);
                Assert.Equal((c * 100 + i + 1) / 10000f, set.Pixels[img * 784 + 783]);
            }
    }

    [Fact]
    public void Stratified_split_is_seeded_exact_and_keeps_class_proportions()
    {
        WriteGood(c => 10 + c);   // 145 digits: 10, 11, …, 19 per class
        var set = MnistDigits.Load(_folder);
        var (train, test) = set.StratifiedSplit(0.2, seed: 3);
        Assert.Equal(29, test.Count);                      // round(145·0.2)
        Assert.Equal(116, train.Count);
        var testCounts = test.ClassCounts();
        for (int c = 0; c < 10; c++)
        {
            Assert.InRange(testCounts[c], (int)Math.Floor((10 + c) * 0.2), (int)Math.Ceiling((10 + c) * 0.2));
            Assert.Equal(10 + c, testCounts[c] + train.ClassCounts()[c]);
        }
        // Every digit lands in exactly one part (pixel values identify digits).
        var ids = train.Pixels.ToArray().Where((_, i) => i % 784 == 0).Concat(test.Pixels.ToArray().Where((_, i) => i % 784 == 0)).ToList();
        Assert.Equal(145, ids.Distinct().Count());
        // Same seed, same split; another seed, another one.
        var again = set.StratifiedSplit(0.2, seed: 3).Test;
        Assert.Equal(test.Pixels.ToArray(), again.Pixels.ToArray());
        Assert.NotEqual(test.Pixels.ToArray(), set.StratifiedSplit(0.2, seed: 4).Test.Pixels.ToArray());
    }

    [Fact]
    public void Missing_folder_and_missing_class_file_are_one_line_errors()
    {
        var ex = Assert.Throws<InvalidDataException>(() => MnistDigits.Load(Path.Combine(_folder, "nope")));
        Assert.Contains("does not exist", ex.Message);
        WriteGood(_ => 1);
        File.Delete(Path.Combine(_folder, "7.json"));
        ex = Assert.Throws<InvalidDataException>(() => MnistDigits.Load(_folder));
        Assert.Contains("7.json", ex.Message);
        Assert.Contains("missing", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("truncated", "not valid JSON")]
    [InlineData("wrong-length", "not a positive multiple of 784")]
    [InlineData("empty-array", "not a positive multiple of 784")]
    [InlineData("out-of-range", "outside [0, 1]")]
    [InlineData("not-a-number", "not a number")]
    [InlineData("no-data", "no \"data\" array")]
    [InlineData("not-an-object", "not a JSON object")]
    public void Malformed_files_name_the_file_and_the_problem(string kind, string expected)
    {
        WriteGood(_ => 1);
        string good = ClassJson(3, 2);
        string text = kind switch
        {
            "truncated" => good[..(good.Length / 2)],
            "wrong-length" => good.Replace("]}", ",0.5]}"),
            "empty-array" => "{\"data\": []}",
            "out-of-range" => good.Replace("]}", ",1.5]}"),
            "not-a-number" => "{\"data\": [0, \"x\"]}",
            "no-data" => "{\"pixels\": [0, 1]}",
            _ => "[0, 1]",
        };
        File.WriteAllText(Path.Combine(_folder, "3.json"), text);
        var ex = Assert.Throws<InvalidDataException>(() => MnistDigits.Load(_folder));
        Assert.Contains("3.json", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    /// <summary>The real set (shared/data/mnist beside the repository), when present: 10,000 digits with the manifest's class counts.</summary>
    [Fact]
    public void Real_mnist_has_ten_thousand_digits_with_the_manifest_class_counts()
    {
        string? folder = SharedMnistFolder();
        if (folder is null) return;   // shared/data is absent on this machine: nothing to check
        var set = MnistDigits.Load(folder);
        Assert.Equal(10_000, set.Count);
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], set.ClassCounts());
        var (train, test) = MnistDigits.LoadSplit(folder);
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal([200, 225, 198, 206, 196, 173, 203, 214, 189, 196], test.ClassCounts());
    }

    /// <summary>shared/data/mnist found by walking up from the test assembly (as MuonInr.Tests' SharedData does), or null.</summary>
    internal static string? SharedMnistFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "mnist");
            if (File.Exists(Path.Combine(candidate, "0.json"))) return candidate;
        }
        return null;
    }
}
