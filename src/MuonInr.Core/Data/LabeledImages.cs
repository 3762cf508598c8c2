using MuonInr.Tensors;

namespace MuonInr.Data;

/// <summary>
/// An in-memory image-classification set: <see cref="Count"/> images stored NHWC (Count, Height, Width,
/// Channels) as float32 in one row-major array, and one integer label in [0, <see cref="ClassCount"/>) per
/// image. Immutable after construction; subsets and splits copy.
/// </summary>
public sealed class LabeledImages
{
    private readonly float[] _pixels;
    private readonly int[] _labels;

    /// <summary>Wraps <paramref name="pixels"/> (Count·H·W·C values, NHWC) and <paramref name="labels"/> (Count values) without copying.</summary>
    /// <exception cref="ArgumentException">Sizes that do not match, or a label outside [0, classCount).</exception>
    public LabeledImages(float[] pixels, int[] labels, int height, int width, int channels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        if (height < 1 || width < 1 || channels < 1 || classCount < 1)
            throw new ArgumentException($"LabeledImages needs positive sizes, got {height}x{width}x{channels} with {classCount} classes.");
        long per = (long)height * width * channels;
        if (pixels.Length != labels.Length * per)
            throw new ArgumentException($"LabeledImages: {pixels.Length} pixel values for {labels.Length} images of {height}x{width}x{channels} (expected {labels.Length * per}).");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"LabeledImages: label {labels[i]} of image {i} is outside [0, {classCount}).");
        _pixels = pixels;
        _labels = labels;
        Height = height;
        Width = width;
        Channels = channels;
        ClassCount = classCount;
    }

    /// <summary>Number of images.</summary>
    public int Count => _labels.Length;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Channels per pixel (1 for grey).</summary>
    public int Channels { get; }

    /// <summary>Number of classes; labels lie in [0, ClassCount).</summary>
    public int ClassCount { get; }

    /// <summary>Values per image: Height·Width·Channels.</summary>
    public int ValuesPerImage => Height * Width * Channels;

    /// <summary>Every pixel value, NHWC row-major.</summary>
    public ReadOnlySpan<float> Pixels => _pixels;

    /// <summary>Every label, in image order.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>How many images each class has (index = class).</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (int l in _labels) counts[l]++;
        return counts;
    }

    /// <summary>A copy holding the images <paramref name="indices"/>, in that order (indices may repeat).</summary>
    public LabeledImages Subset(ReadOnlySpan<int> indices)
    {
        int per = ValuesPerImage;
        var pixels = new float[indices.Length * per];
        var labels = new int[indices.Length];
        CopyBatch(indices, pixels, labels);
        return new LabeledImages(pixels, labels, Height, Width, Channels, ClassCount);
    }

    /// <summary>
    /// Copies images <paramref name="indices"/> into <paramref name="pixels"/> (indices.Length·ValuesPerImage
    /// values, NHWC) and their labels into <paramref name="labels"/>. No allocation: the training loop's batch path.
    /// </summary>
    public void CopyBatch(ReadOnlySpan<int> indices, Span<float> pixels, Span<int> labels)
    {
        int per = ValuesPerImage;
        if (pixels.Length < indices.Length * per || labels.Length < indices.Length)
            throw new ArgumentException($"CopyBatch: buffers of {pixels.Length} pixels and {labels.Length} labels are too small for {indices.Length} images of {per} values.");
        for (int i = 0; i < indices.Length; i++)
        {
            int j = indices[i];
            if ((uint)j >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"CopyBatch: image index {j} is outside [0, {Count}).");
            _pixels.AsSpan(j * per, per).CopyTo(pixels.Slice(i * per, per));
            labels[i] = _labels[j];
        }
    }

    /// <summary>Images <paramref name="indices"/> as a tensor (n, Height, Width, Channels) (owned by the current scope), their labels into <paramref name="labels"/>.</summary>
    public Tensor Batch(ReadOnlySpan<int> indices, Span<int> labels)
    {
        var x = Tensor.Uninitialized(indices.Length, Height, Width, Channels);
        CopyBatch(indices, x.Span, labels);
        return x;
    }

    /// <summary>
    /// A seeded, stratified split: within each class the images are shuffled with <see cref="Rng"/>(seed)
    /// and the first ones go to the test set. The test set has round(Count·testFraction) images, shared out
    /// as floor(classCount·testFraction) per class plus one for the classes with the largest remainders
    /// (ties to the lower class), so every class keeps its proportion. Each part is then shuffled with the
    /// same generator, so neither is sorted by class. Same data and seed ⇒ same split.
    /// </summary>
    public (LabeledImages Train, LabeledImages Test) StratifiedSplit(double testFraction, ulong seed)
    {
        if (!(testFraction >= 0 && testFraction <= 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), $"Test fraction must lie in [0, 1], got {testFraction}.");
        var counts = ClassCounts();
        int testTotal = (int)Math.Round(Count * testFraction, MidpointRounding.AwayFromZero);
        var quota = new int[ClassCount];
        var remainder = new double[ClassCount];
        int assigned = 0;
        for (int c = 0; c < ClassCount; c++)
        {
            double exact = counts[c] * testFraction;
            quota[c] = (int)Math.Floor(exact);
            remainder[c] = exact - quota[c];
            assigned += quota[c];
        }
        foreach (int c in Enumerable.Range(0, ClassCount).OrderByDescending(c => remainder[c]).ThenBy(c => c).Take(testTotal - assigned))
            quota[c]++;

        var rng = new Rng(seed);
        var train = new List<int>(Count - testTotal);
        var test = new List<int>(testTotal);
        for (int c = 0; c < ClassCount; c++)
        {
            var members = new List<int>(counts[c]);
            for (int i = 0; i < Count; i++) if (_labels[i] == c) members.Add(i);
            var order = rng.Permutation(members.Count);
            for (int i = 0; i < order.Length; i++) (i < quota[c] ? test : train).Add(members[order[i]]);
        }
        int[] Shuffled(List<int> items)
        {
            var p = rng.Permutation(items.Count);
            var result = new int[items.Count];
            for (int i = 0; i < p.Length; i++) result[i] = items[p[i]];
            return result;
        }
        return (Subset(Shuffled(train)), Subset(Shuffled(test)));
    }
}
