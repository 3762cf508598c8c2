using MuonInr.Nn;
using MuonInr.Tensors;

namespace MuonInr.Experiments;

/// <summary>
/// Fitting through a forward model (inverse problems): loss = mean((A·f(coords) − measurements)²), where
/// f is evaluated on every coordinate and A is a fixed linear operator (CT: the Radon transform; SISR:
/// the antialiased downsampler). One chunk: A couples all pixels.
/// </summary>
public sealed class OperatorObjective(Tensor coords, ILinearOperator op, Tensor measurements) : ITrainingObjective
{
    /// <inheritdoc />
    public int ChunkCount => 1;

    /// <inheritdoc />
    public double AccumulateChunk(Module model, int chunk)
    {
        var prediction = model.Forward(coords);
        var measured = Ops.Apply(op, prediction, measurements.ShapeArray);
        var loss = Ops.MseLoss(measured, measurements);
        loss.Backward();
        return loss.Item();
    }
}
