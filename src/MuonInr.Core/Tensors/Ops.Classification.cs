using MuonInr.Autograd;

namespace MuonInr.Tensors;

public static partial class Ops
{
    /// <summary>
    /// Softmax cross-entropy with integer class labels, averaged over the batch (PyTorch's
    /// <c>F.cross_entropy(logits, labels)</c> with reduction "mean"): logits (N, K), labels[i] in [0, K)
    /// → scalar L = (1/N) Σᵢ [log Σⱼ exp(zᵢⱼ) − zᵢ,labels[i]]. Numerically stable: each row's maximum is
    /// subtracted before exponentiating and the log-sum-exp is accumulated in double.
    /// </summary>
    /// <remarks>
    /// Forward and backward are one pass: the gradient (softmax(zᵢ) − onehot(labels[i])) / N is written
    /// while the loss is summed, and the backward rule only scales it by the upstream gradient (no pass
    /// at all for the usual dL/dL = 1). The logits are the only input that receives a gradient.
    /// </remarks>
    /// <exception cref="ArgumentException">Logits not (N, K) with N, K ≥ 1, a label count other than N, or a label outside [0, K).</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> labels)
    {
        RequireRank(logits, 2, "CrossEntropy", "logits (N, K)");
        int n = logits.Dim(0), k = logits.Dim(1);
        if (n == 0 || k == 0) throw new ArgumentException($"CrossEntropy: logits of shape {Tensor.ShapeString(logits.Shape)} are empty.");
        if (labels.Length != n)
            throw new ArgumentException($"CrossEntropy: {labels.Length} labels for logits of shape {Tensor.ShapeString(logits.Shape)} ({n} rows).");
        for (int i = 0; i < n; i++)
            if ((uint)labels[i] >= (uint)k)
                throw new ArgumentException($"CrossEntropy: label {labels[i]} at row {i} is outside the {k} classes [0, {k - 1}] of logits {Tensor.ShapeString(logits.Shape)}.");

        bool track = Tracks(logits);
        // Scoped: if backward never runs, the scope returns the buffer; the rule escapes it when handing it on.
        Tensor? grad = track ? Tensor.Uninitialized(n, k) : null;
        var z = logits.Span;
        double total = 0, invN = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            var row = z.Slice(i * k, k);
            float max = TensorPrimitives.Max(row);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.Exp((double)row[j] - max);
            double logSumExp = max + Math.Log(sum);
            total += logSumExp - row[labels[i]];
            if (grad is null) continue;
            // dL/dzᵢⱼ = (softmax(zᵢ)ⱼ − [j = label]) / N.
            var g = grad.Span.Slice(i * k, k);
            // In double, so (p − 1) for a confident correct class keeps its digits.
            int label = labels[i];
            for (int j = 0; j < k; j++) g[j] = (float)((Math.Exp(row[j] - logSumExp) - (j == label ? 1.0 : 0.0)) * invN);
        }
        var loss = Tensor.Scalar((float)(total * invN));
        if (track) Record(loss, new TapeNode(OpKind.CrossEntropy) { A = logits, Saved = grad });
        return loss;
    }
}
