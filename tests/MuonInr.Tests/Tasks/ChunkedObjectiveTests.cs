using MuonInr.Fields;
using MuonInr.Tasks;
using MuonInr.Tests.TestSupport;
using MuonInr.Signals;
using MuonInr.Tensors;

namespace MuonInr.Tests.Tasks;

/// <summary>Every objective's chunked gradient equals its full-batch gradient (ARCHITECTURE decision 7).</summary>
public class ChunkedObjectiveTests
{
    [Theory]
    [InlineData("operator", 7)]
    [InlineData("operator", 64)]
    [InlineData("regression", 7)]
    [InlineData("regression", 50)]
    [InlineData("regression", 191)]
    public void Chunked_gradient_equals_the_full_batch_gradient(string kind, int chunkRows)
    {
        var signal = new ImageSignal(TestPatterns.HighFrequencyComposite(12, 16), 12, 16, 3);
        using var coords = signal.Coordinates();
        var op = ImageResampler.BicubicAntialiased(12, 16, 3, 4, 3);
        var y = Tensor.Zeros(12, 3).Escape();
        op.Apply(signal.Pixels, y.Span);
        using var model = TestModels.Create("relu-ffn", 2, 3, new ModelSpec { Hidden = 16, Mapping = 8 }, new Rng(3));
        using var targets = signal.Targets();

        (double Loss, float[][] Grads) Run(int chunk)
        {
            ITrainingObjective objective = kind == "operator" ? new OperatorObjective(coords, op, y, chunk) : new RegressionObjective(coords, targets, chunk);
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
