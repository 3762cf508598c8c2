using MuonInr.Fields;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Tests.Fields;

public class EncodingCacheTests
{
    public static IEnumerable<object[]> Encodings()
    {
        yield return ["pe"];
        yield return ["ffn"];
    }

    private static Module Create(string kind) => kind == "pe" ? new PositionalEncoding(2, levels: 10) : new FourierFeatures(2, 16, 10.0, new Rng(5));

    // The encoding computed without any cache: the same ops as the module's forward.
    private static float[] Fresh(Module encoding, Tensor x)
    {
        using var scope = new TensorScope();
        var copy = Tensor.FromData(x.Span, x.ShapeArray);
        return encoding switch
        {
            PositionalEncoding pe => Ops.PositionalEncoding(copy, pe.Levels).ToArray(),
            FourierFeatures ff => new FourierFeatures(2, ff.Mapping, ff.Sigma, new Rng(5)).Forward(copy).ToArray(),
            _ => throw new ArgumentException(encoding.GetType().Name),
        };
    }

    private static void AssertBits(float[] expected, Tensor actual, string what)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(a[i]), $"{what}: element {i} is {a[i]}, expected {expected[i]}");
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void The_same_coordinates_reuse_the_encoding_and_any_change_recomputes_it(string kind)
    {
        var encoding = Create(kind);
        var x = Tensor.Uniform(new Rng(6), -1, 1, 50, 2).Escape();
        Tensor first;
        using (new TensorScope()) first = encoding.Forward(x);
        // The step's scope has ended: the kept output survives it, and the same input returns it again.
        Assert.False(first.IsDisposed);
        AssertBits(Fresh(encoding, x), first, "first call");
        using (new TensorScope()) Assert.Same(first, encoding.Forward(x));
        // The same values in another tensor: still the kept output.
        var same = Tensor.FromData(x.Span, 50, 2).Escape();
        Assert.Same(first, encoding.Forward(same));
        // One coordinate changed in place (a sign flip of a zero counts: sin(−0) = −0): recomputed, equal to a fresh encoding.
        x.Span[17] = 0.25f;
        var second = encoding.Forward(x);
        Assert.NotSame(first, second);
        AssertBits(Fresh(encoding, x), second, "after an in-place change");
        x.Span[3] = 0f;
        var third = encoding.Forward(x);
        x.Span[3] = -0f;
        Assert.NotSame(third, encoding.Forward(x));
        // Another batch size.
        var batch = Tensor.Uniform(new Rng(7), -1, 1, 9, 2).Escape();
        AssertBits(Fresh(encoding, batch), encoding.Forward(batch), "another batch");
        // A disposed output is recomputed, not returned.
        var kept = encoding.Forward(batch);
        kept.Dispose();
        var again = encoding.Forward(batch);
        Assert.False(again.IsDisposed);
        AssertBits(Fresh(encoding, batch), again, "after the kept output was disposed");
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Coordinates_that_require_gradients_are_encoded_every_time_and_get_their_gradient(string kind)
    {
        var encoding = Create(kind);
        using var scope = new TensorScope();
        var x = Tensor.Uniform(new Rng(8), -1, 1, 20, 2);
        x.RequiresGrad = true;
        var y1 = encoding.Forward(x);
        var y2 = encoding.Forward(x);
        Assert.NotSame(y1, y2);
        Ops.Sum(y2).Backward();
        Assert.NotNull(x.Grad);
        Assert.Contains(x.Grad!.ToArray(), g => g != 0f);
    }
}
