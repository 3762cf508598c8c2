using MuonInr.Autograd;
using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Tasks;

/// <summary>
/// Fitting through a forward model (inverse problems): loss = mean((A·f(coords) − measurements)²), where
/// f is evaluated on every coordinate and A is a fixed linear operator (CT: the Radon transform; SISR:
/// the antialiased downsampler).
/// <para>
/// Unchunked (the default) it is one graph: f, A, the loss, backward. With row chunks the memory is bounded
/// by a chunk: A couples every pixel, but the loss gradient with respect to f is g = (2/M)·Aᵀ(A f − y), so
/// chunk 0 first evaluates f on every coordinate without a graph, forms the residual and g, and every
/// chunk then runs its rows forward with a graph and backward seeded with its rows of g. The gradient is
/// the full-batch gradient (up to float rounding); the price is one extra forward pass per step.
/// </para>
/// </summary>
public sealed class OperatorObjective : ITrainingObjective
{
    private readonly Tensor _coords;
    private readonly ILinearOperator _op;
    private readonly Tensor _measurements;
    private readonly int _chunkRows;
    private readonly float[]? _prediction, _residual, _gradient;
    private int _outFeatures;

    /// <summary>Creates the objective; <paramref name="chunkRows"/> &gt; 0 bounds memory by that many rows per pass.</summary>
    public OperatorObjective(Tensor coords, ILinearOperator op, Tensor measurements, int chunkRows = 0)
    {
        if (chunkRows < 0) throw new ArgumentOutOfRangeException(nameof(chunkRows), $"Chunk size must be non-negative, got {chunkRows}.");
        if (measurements.Length != op.OutputLength)
            throw new ArgumentException($"Measurements of {measurements.Length} values do not match the operator's output of {op.OutputLength}.");
        _coords = coords; _op = op; _measurements = measurements;
        int n = coords.Dim(0);
        _chunkRows = chunkRows == 0 || chunkRows >= n ? n : chunkRows;
        if (_chunkRows < n)
        {
            _prediction = new float[op.InputLength];
            _residual = new float[op.OutputLength];
            _gradient = new float[op.InputLength];
        }
    }

    /// <inheritdoc />
    public int ChunkCount => (_coords.Dim(0) + _chunkRows - 1) / _chunkRows;

    /// <inheritdoc />
    public double AccumulateChunk(Module model, int chunk)
    {
        if (_prediction is null)
        {
            var prediction = model.Forward(_coords);
            var measured = Ops.Apply(_op, prediction, _measurements.ShapeArray);
            var loss = Ops.MseLoss(measured, _measurements);
            loss.Backward();
            return loss.Item();
        }
        int n = _coords.Dim(0), inF = _coords.Dim(1);
        double value = 0;
        if (chunk == 0)
        {
            // Pass 1: f on every coordinate (no graph), residual, and the gradient with respect to f.
            _outFeatures = _op.InputLength / n;
            ChunkedPrediction.Predict(model, _coords, _chunkRows, _prediction);
            _op.Apply(_prediction, _residual);
            var y = _measurements.Span;
            double sum = 0;
            for (int i = 0; i < _residual!.Length; i++) { float r = _residual[i] - y[i]; _residual[i] = r; sum += (double)r * r; }
            value = sum / _residual.Length;
            _op.ApplyAdjoint(_residual, _gradient);
            TensorPrimitives.Multiply(_gradient, 2f / _residual.Length, _gradient);
        }
        // Pass 2: this chunk's rows with a graph, seeded with their rows of the gradient.
        int start = chunk * _chunkRows, len = Math.Min(_chunkRows, n - start);
        var x = Tensor.FromData(_coords.Span.Slice(start * inF, len * inF), len, inF);
        var f = model.Forward(x);
        var seed = Tensor.FromData(_gradient.AsSpan(start * _outFeatures, len * _outFeatures), len, _outFeatures);
        f.Backward(seed);
        return value;
    }
}
