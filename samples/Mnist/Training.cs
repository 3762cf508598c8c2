using System.Diagnostics;
using MuonInr.Autograd;
using MuonInr.Data;
using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Samples.Mnist;

/// <summary>What one epoch of one (model, optimizer) run measured.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches (weighted by batch size), measured while training.</param>
/// <param name="TestAccuracy">Fraction of the test set classified correctly after the epoch.</param>
/// <param name="Seconds">Wall-clock seconds of the epoch's training steps (evaluation excluded).</param>
internal sealed record EpochResult(int Epoch, double TrainLoss, double TestAccuracy, double Seconds);

/// <summary>Plain minibatch training with cross-entropy: shuffled every epoch, no augmentation, no schedule.</summary>
internal static class Training
{
    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="epochs"/> epochs; the batch order comes from
    /// <see cref="Rng"/>(<paramref name="seed"/>), so every optimizer sees the same batches.
    /// </summary>
    public static List<EpochResult> Run(Module model, Optimizer optimizer, LabeledImages train, LabeledImages test,
        int epochs, int batchSize, ulong seed, Action<EpochResult> onEpoch)
    {
        var order = new Rng(seed);
        var labels = new int[batchSize];
        var results = new List<EpochResult>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var perm = order.Permutation(train.Count);
            double lossSum = 0;
            var clock = Stopwatch.StartNew();
            for (int start = 0; start < train.Count; start += batchSize)
            {
                int count = Math.Min(batchSize, train.Count - start);
                using var scope = new TensorScope();   // every activation and gradient of the step goes back to the pool
                var x = train.Batch(perm.AsSpan(start, count), labels);
                optimizer.ZeroGrad();
                var loss = Ops.CrossEntropy(model.Forward(x), labels.AsSpan(0, count));
                loss.Backward();
                optimizer.Step();
                lossSum += (double)loss.Item() * count;
            }
            double seconds = clock.Elapsed.TotalSeconds;
            var result = new EpochResult(epoch, lossSum / train.Count, Evaluate(model, test), seconds);
            results.Add(result);
            onEpoch(result);
        }
        return results;
    }

    /// <summary>
    /// A few untimed steps on a throwaway model and optimizer, so that the timed epochs do not pay for JIT
    /// compilation and for filling the tensor pool (the timed run then starts from the same state as without it).
    /// </summary>
    public static void WarmUp(Func<Module> createModel, Func<Module, Optimizer> createOptimizer, LabeledImages train, int batchSize, int steps = 3)
    {
        using var model = createModel();
        var optimizer = createOptimizer(model);
        var labels = new int[batchSize];
        var indices = Enumerable.Range(0, Math.Min(batchSize, train.Count)).ToArray();
        for (int step = 0; step < steps; step++)
        {
            using var scope = new TensorScope();
            var x = train.Batch(indices, labels);
            optimizer.ZeroGrad();
            Ops.CrossEntropy(model.Forward(x), labels.AsSpan(0, indices.Length)).Backward();
            optimizer.Step();
        }
        Evaluate(model, train.Subset(indices));
    }

    /// <summary>Test accuracy in batches of 500, without recording a graph.</summary>
    public static double Evaluate(Module model, LabeledImages set)
    {
        const int chunk = 500;
        var labels = new int[chunk];
        var indices = new int[chunk];
        int correct = 0;
        using var noGrad = GradMode.NoGrad();
        for (int start = 0; start < set.Count; start += chunk)
        {
            int count = Math.Min(chunk, set.Count - start);
            for (int i = 0; i < count; i++) indices[i] = start + i;
            using var scope = new TensorScope();
            var logits = model.Forward(set.Batch(indices.AsSpan(0, count), labels));
            correct += Accuracy.CountCorrect(logits, labels.AsSpan(0, count));
        }
        return set.Count == 0 ? 0 : (double)correct / set.Count;
    }
}
