using MuonInr.Autograd;
using MuonInr.Kernels;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Random Fourier features γ(x) = [cos(2π x·Bᵀ) | sin(2π x·Bᵀ)] (Tancik et al. 2020): x [N, in],
    /// B [m, in] → [N, 2m], cosines first as in the paper's code. B is a fixed matrix and never receives a
    /// gradient; the input does, when it requires one.
    /// </summary>
    public static Tensor FourierFeatures(Tensor x, Tensor b)
    {
        RequireRank(x, 2, "FourierFeatures", "input");
        RequireRank(b, 2, "FourierFeatures", "B");
        int n = x.Dim(0), inF = x.Dim(1), m = b.Dim(0);
        if (b.Dim(1) != inF)
            throw new ArgumentException($"FourierFeatures: input of shape {Tensor.ShapeString(x.Shape)} has {inF} features but B of shape {Tensor.ShapeString(b.Shape)} expects {b.Dim(1)}.");
        var y = Tensor.Uninitialized(n, 2 * m);
        InrEncodingKernels.FourierFeaturesForward(x.Span, b.Span, y.Span, n, inF, m);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.FourierFeatures) { A = x, Saved = b });
        return y;
    }

    /// <summary>
    /// NeRF positional encoding (Mildenhall et al. 2020) with <paramref name="bands"/> = L/2 frequencies:
    /// x [N, d] → [N, d·2·bands], per input feature [sin(2⁰πp), cos(2⁰πp), …, sin(2^(bands−1)πp),
    /// cos(2^(bands−1)πp)], the raw input not included (the paper's code). In float32 the bands above
    /// about 2²³ only alias (their argument has no fractional bits left), as they do in PyTorch.
    /// </summary>
    public static Tensor PositionalEncoding(Tensor x, int bands)
    {
        RequireRank(x, 2, "PositionalEncoding", "input");
        if (bands < 0 || bands > InrEncodingKernels.MaxBands)
            throw new ArgumentOutOfRangeException(nameof(bands), $"PositionalEncoding: bands must be in 0..{InrEncodingKernels.MaxBands}, got {bands}.");
        int n = x.Dim(0), d = x.Dim(1);
        var y = Tensor.Uninitialized(n, d * 2 * bands);
        InrEncodingKernels.PositionalEncodingForward(x.Span, y.Span, n, d, bands);
        if (Tracks(x)) Record(y, new TapeNode(OpKind.PositionalEncoding) { A = x, I0 = bands });
        return y;
    }
}
