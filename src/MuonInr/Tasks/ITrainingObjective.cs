using MuonInr.Nn;

namespace MuonInr.Tasks;

/// <summary>
/// What a task trains: a full-batch loss split into row chunks whose gradients add up to the
/// full-batch gradient (ARCHITECTURE decision 7), so memory is bounded by the chunk, not the signal.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>Number of chunks per step (1 = plain full batch).</summary>
    int ChunkCount { get; }

    /// <summary>
    /// Forward and backward for chunk <paramref name="chunk"/>: accumulates its share of the full-batch
    /// gradient into the model's parameters and returns its share of the full-batch loss. Runs inside a
    /// <see cref="MuonInr.Tensors.TensorScope"/> opened by the trainer.
    /// </summary>
    double AccumulateChunk(Module model, int chunk);

    /// <summary>
    /// Called before the chunks of step <paramref name="step"/> (1-based). An objective whose samples change
    /// from step to step (SDF fitting draws a new batch every step) selects them here, as a function of the
    /// step alone, so a resumed run sees exactly the batches an uninterrupted one does.
    /// </summary>
    void BeginStep(int step) { }
}
