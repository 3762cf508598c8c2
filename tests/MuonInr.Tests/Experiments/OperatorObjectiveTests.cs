using MuonInr.Experiments;
using MuonInr.Fields;
using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tests.Experiments;

public class OperatorObjectiveTests
{
    [Theory]
    [InlineData(7)]
    [InlineData(64)]
    public void Chunked_gradient_equals_the_full_batch_gradient(int chunkRows)
    {
        var signal = new ImageSignal(TestPatterns.HighFrequencyComposite(12, 16), 12, 16, 3);
        using var coords = signal.Coordinates();
        var op = ImageResampler.BicubicAntialiased(12, 16, 3, 4, 3);
        var y = Tensor.Zeros(12, 3).Escape();
        op.Apply(signal.Pixels, y.Span);
        using var model = FieldPresets.Create("relu-ffn", 2, 3, new FieldOptions { Hidden = 16, Mapping = 8 }, new Rng(3));

        (double Loss, float[][] Grads) Run(int chunk)
        {
            var objective = new OperatorObjective(coords, op, y, chunk);
            model.ZeroGrad();
            double loss = 0;
            for (int c = 0; c < objective.ChunkCount; c++)
            {
                using var scope = new TensorScope();
                loss += objective.AccumulateChunk(model, c);
            }
            return (loss, model.Parameters().Select(p => p.Grad!.ToArray()).ToArray());
        }
        var full = Run(0);
        var chunked = Run(chunkRows);
        Assert.Equal(full.Loss, chunked.Loss, 6);
        for (int p = 0; p < full.Grads.Length; p++)
        {
            double scale = full.Grads[p].Max(v => Math.Abs((double)v)) + 1e-12;
            for (int i = 0; i < full.Grads[p].Length; i++)
                Assert.True(Math.Abs(full.Grads[p][i] - chunked.Grads[p][i]) <= 1e-4 * scale, $"param {p}[{i}]: {full.Grads[p][i]} vs {chunked.Grads[p][i]}");
        }
        y.Dispose();
    }
}
