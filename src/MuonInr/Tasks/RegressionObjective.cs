using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Tasks;

/// <summary>
/// Mean squared error between model(inputs) and targets over all rows (image and audio fitting),
/// computed over row chunks: chunk c contributes (rows_c / N)·MSE_c to the loss and the gradient, which
/// sums to exactly the full-batch MSE.
/// </summary>
public sealed class RegressionObjective : ITrainingObjective, IDisposable
{
    private readonly Tensor[] _inputs;
    private readonly Tensor[] _targets;
    private readonly float[] _weights;

    /// <summary>Splits inputs [N, in] and targets [N, out] into chunks of at most <paramref name="chunkRows"/> rows (0 = one chunk).</summary>
    public RegressionObjective(Tensor inputs, Tensor targets, int chunkRows = 0)
    {
        if (inputs.Rank != 2 || targets.Rank != 2 || inputs.Dim(0) != targets.Dim(0))
            throw new ArgumentException($"Regression needs inputs [N, in] and targets [N, out] with the same N, got {Tensor.ShapeString(inputs.Shape)} and {Tensor.ShapeString(targets.Shape)}.");
        if (chunkRows < 0) throw new ArgumentOutOfRangeException(nameof(chunkRows), $"Chunk size must be non-negative, got {chunkRows}.");
        int n = inputs.Dim(0);
        if (n == 0) throw new ArgumentException("Regression needs at least one row.");
        int size = chunkRows == 0 || chunkRows >= n ? n : chunkRows;
        int count = (n + size - 1) / size;
        Rows = n;
        _inputs = new Tensor[count]; _targets = new Tensor[count]; _weights = new float[count];
        for (int c = 0; c < count; c++)
        {
            int start = c * size, len = Math.Min(size, n - start);
            _inputs[c] = Tensor.FromData(inputs.Span.Slice(start * inputs.Dim(1), len * inputs.Dim(1)), len, inputs.Dim(1)).Escape();
            _targets[c] = Tensor.FromData(targets.Span.Slice(start * targets.Dim(1), len * targets.Dim(1)), len, targets.Dim(1)).Escape();
            _weights[c] = (float)len / n;
        }
    }

    /// <summary>Total rows N.</summary>
    public int Rows { get; }

    /// <inheritdoc />
    public int ChunkCount => _inputs.Length;

    /// <summary>Input rows of chunk <paramref name="chunk"/>.</summary>
    public Tensor Inputs(int chunk) => _inputs[chunk];

    /// <inheritdoc />
    public double AccumulateChunk(Module model, int chunk)
    {
        var loss = Ops.MseLoss(model.Forward(_inputs[chunk]), _targets[chunk]);
        float w = _weights[chunk];
        if (w == 1f) loss.Backward();
        else loss.Backward(Tensor.Scalar(w));
        return loss.Item() * (double)w;
    }

    /// <summary>Releases the chunk tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _inputs) t.Dispose();
        foreach (var t in _targets) t.Dispose();
    }
}
