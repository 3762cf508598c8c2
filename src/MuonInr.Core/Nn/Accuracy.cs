using MuonInr.Tensors;

namespace MuonInr.Nn;

/// <summary>Classification accuracy from logits (N, K) and integer labels: the predicted class is the arg-max of each row (first on ties).</summary>
public static class Accuracy
{
    /// <summary>The arg-max class of row <paramref name="row"/> of logits (N, K).</summary>
    public static int Predict(Tensor logits, int row)
    {
        int k = logits.Dim(1);
        return TensorPrimitives.IndexOfMax(logits.Span.Slice(row * k, k));
    }

    /// <summary>Number of rows whose arg-max equals the label.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        if (logits.Rank != 2) throw new ArgumentException($"Accuracy: logits must be (N, K), got shape {Tensor.ShapeString(logits.Shape)}.");
        if (labels.Length != logits.Dim(0)) throw new ArgumentException($"Accuracy: {labels.Length} labels for logits of shape {Tensor.ShapeString(logits.Shape)}.");
        int correct = 0;
        for (int i = 0; i < labels.Length; i++) if (Predict(logits, i) == labels[i]) correct++;
        return correct;
    }

    /// <summary>Fraction of rows classified correctly, in [0, 1] (0 for an empty batch).</summary>
    public static double Of(Tensor logits, ReadOnlySpan<int> labels)
        => labels.Length == 0 ? 0 : (double)CountCorrect(logits, labels) / labels.Length;
}
