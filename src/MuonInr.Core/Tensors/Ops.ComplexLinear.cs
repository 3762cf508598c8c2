using MuonInr.Autograd;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// The real block form of a complex weight W = Wr + i·Wi [out, in], so that a complex affine layer on
    /// block-layout activations Z = [Zr | Zi] ([N, 2·in]) is one real <see cref="Linear"/>:
    /// Z·Bᵀ = [Zr·Wrᵀ − Zi·Wiᵀ | Zr·Wiᵀ + Zi·Wrᵀ] with B = [[Wr, −Wi], [Wi, Wr]] ([2·out, 2·in]).
    /// With <paramref name="realPartOnly"/> only the first block row [Wr, −Wi] ([out, 2·in]) is built,
    /// which gives the real part of the product (WIRE's output layer). The block costs O(out·in) per call,
    /// nothing next to the GEMM; its backward folds the four gradient blocks back onto Wr and Wi.
    /// </summary>
    public static Tensor ComplexWeightBlock(Tensor weightReal, Tensor weightImaginary, bool realPartOnly = false)
    {
        RequireRank(weightReal, 2, "ComplexWeightBlock", "real part");
        RequireSameShape(weightReal, weightImaginary, "ComplexWeightBlock");
        int o = weightReal.Dim(0), i = weightReal.Dim(1);
        var b = Tensor.Uninitialized(realPartOnly ? o : 2 * o, 2 * i);
        var wr = weightReal.Span; var wi = weightImaginary.Span; var d = b.Span;
        for (int r = 0; r < o; r++)
        {
            var rowR = wr.Slice(r * i, i); var rowI = wi.Slice(r * i, i);
            rowR.CopyTo(d.Slice(r * 2 * i, i));                                  // [Wr,
            TensorPrimitives.Negate(rowI, d.Slice(r * 2 * i + i, i));            //  −Wi]
            if (realPartOnly) continue;
            rowI.CopyTo(d.Slice((o + r) * 2 * i, i));                            // [Wi,
            rowR.CopyTo(d.Slice((o + r) * 2 * i + i, i));                        //  Wr]
        }
        if (Tracks(weightReal) || Tracks(weightImaginary))
            Record(b, new TapeNode(OpKind.ComplexWeightBlock) { A = weightReal, B = weightImaginary, F0 = realPartOnly });
        return b;
    }

    /// <summary>
    /// The block form [br | bi] ([2·out]) of a complex bias b = br + i·bi ([out] each), matching the
    /// column layout of <see cref="ComplexWeightBlock"/>.
    /// </summary>
    public static Tensor ComplexBiasBlock(Tensor biasReal, Tensor biasImaginary)
    {
        RequireRank(biasReal, 1, "ComplexBiasBlock", "real part");
        RequireSameShape(biasReal, biasImaginary, "ComplexBiasBlock");
        int o = biasReal.Dim(0);
        var b = Tensor.Uninitialized(2 * o);
        biasReal.Span.CopyTo(b.Span[..o]);
        biasImaginary.Span.CopyTo(b.Span[o..]);
        if (Tracks(biasReal) || Tracks(biasImaginary))
            Record(b, new TapeNode(OpKind.ComplexBiasBlock) { A = biasReal, B = biasImaginary });
        return b;
    }
}
