using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Tasks.Sdf;

/// <summary>
/// The SDF loss of BACON (<c>overfit_sdf</c>), the paper's eq. (4): squared errors summed over the batch,
/// the coarse samples (even rows) weighted by <c>coarse_weight</c> (1e-2):
/// L = Σ_fine (f(x) − s)² + w·Σ_coarse (f(x) − s)². A new batch of the pool every step
/// (<see cref="BeginStep"/>), split into row chunks whose sums add up to the batch's loss and gradient.
/// </summary>
public sealed class SdfObjective : ITrainingObjective, IDisposable
{
    private readonly SdfSamplePool _pool;
    private readonly int _batch;
    private readonly Tensor[] _inputs, _targets, _weights;
    private readonly int[] _starts;
    private readonly float[] _points, _distances;

    /// <summary>Batches of <paramref name="batch"/> samples (even) in chunks of at most <paramref name="chunkRows"/> rows (even; 0 = one chunk).</summary>
    public SdfObjective(SdfSamplePool pool, int batch, int chunkRows, double coarseWeight)
    {
        if (batch < 2 || batch % 2 != 0) throw new ArgumentOutOfRangeException(nameof(batch), $"The SDF batch needs an even number of samples ≥ 2, got {batch}.");
        _pool = pool; _batch = batch;
        int size = chunkRows <= 0 || chunkRows >= batch ? batch : Math.Max(2, chunkRows - chunkRows % 2);
        int count = (batch + size - 1) / size;
        _inputs = new Tensor[count]; _targets = new Tensor[count]; _weights = new Tensor[count]; _starts = new int[count];
        for (int c = 0; c < count; c++)
        {
            int start = c * size, len = Math.Min(size, batch - start);
            _starts[c] = start;
            _inputs[c] = Tensor.Zeros(len, 3).Escape();
            _targets[c] = Tensor.Zeros(len, 1).Escape();
            _weights[c] = Tensor.Zeros(len, 1).Escape();
            var w = _weights[c].Span;
            for (int r = 0; r < len; r++) w[r] = (start + r) % 2 == 0 ? (float)coarseWeight : 1f;
        }
        _points = new float[batch * 3]; _distances = new float[batch];
        BeginStep(1);
    }

    /// <inheritdoc />
    public int ChunkCount => _inputs.Length;

    /// <inheritdoc />
    public void BeginStep(int step)
    {
        _pool.Batch(step - 1, _batch, _points, _distances);
        for (int c = 0; c < _inputs.Length; c++)
        {
            int start = _starts[c], len = _targets[c].Dim(0);
            _points.AsSpan(start * 3, len * 3).CopyTo(_inputs[c].Span);
            _distances.AsSpan(start, len).CopyTo(_targets[c].Span);
        }
    }

    /// <inheritdoc />
    public double AccumulateChunk(Module model, int chunk)
    {
        var d = Ops.Sub(model.Forward(_inputs[chunk]), _targets[chunk]);
        var loss = Ops.Sum(Ops.Mul(Ops.Square(d), _weights[chunk]));
        loss.Backward();
        return loss.Item();
    }

    /// <summary>Releases the chunk tensors.</summary>
    public void Dispose()
    {
        foreach (var t in _inputs) t.Dispose();
        foreach (var t in _targets) t.Dispose();
        foreach (var t in _weights) t.Dispose();
    }
}
