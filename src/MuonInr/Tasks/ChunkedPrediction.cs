using MuonInr.Autograd;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Tasks;

/// <summary>The model evaluated on many coordinates without a graph, in row chunks (bounded memory).</summary>
public static class ChunkedPrediction
{
    /// <summary>Writes model(coords) [N, out] into <paramref name="output"/>, <paramref name="chunk"/> rows at a time (0 = all at once).</summary>
    public static void Predict(Module model, Tensor coords, int chunk, float[] output)
    {
        int n = coords.Dim(0), size = chunk <= 0 ? n : Math.Min(chunk, n), inF = coords.Dim(1);
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < n; start += size)
        {
            using var scope = new TensorScope();
            int len = Math.Min(size, n - start);
            var x = start == 0 && len == n ? coords : Tensor.FromData(coords.Span.Slice(start * inF, len * inF), len, inF);
            var y = model.Forward(x);
            y.Span.CopyTo(output.AsSpan(start * y.Dim(1)));
        }
    }
}
