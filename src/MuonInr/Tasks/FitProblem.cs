using MuonInr.Tensors;

namespace MuonInr.Tasks;

/// <summary>
/// A task's data made ready to fit: the objective the trainer minimises (with its forward operator), the
/// coordinates on which the model is evaluated, the metrics of a prediction there, an optional classical
/// baseline, and the files and report panels of the task. Built by <see cref="IFitTask.Prepare"/>.
/// </summary>
public abstract class FitProblem : IDisposable
{
    /// <summary>Coordinates per row (2 for images, 1 for audio, …).</summary>
    public abstract int InFeatures { get; }

    /// <summary>Values per row the model predicts (channels).</summary>
    public abstract int OutFeatures { get; }

    /// <summary>The signal in words, for the summary ("384 x 256 x 3", …).</summary>
    public abstract string SignalDescription { get; }

    /// <summary>The full-batch training loss, in chunks.</summary>
    public abstract ITrainingObjective Objective { get; }

    /// <summary>Coordinates [rows, InFeatures] on which the model is evaluated for metrics and outputs.</summary>
    public abstract Tensor EvaluationCoordinates { get; }

    /// <summary>Name of <see cref="Quality"/> in metrics.csv and progress ("psnr", "snr", …).</summary>
    public abstract string QualityName { get; }

    /// <summary>The metric followed during training, of a prediction [rows, OutFeatures] on the evaluation coordinates.</summary>
    public abstract double Quality(float[] prediction);

    /// <summary>The final metrics of a prediction, each with its convention, the first being <see cref="QualityName"/>.</summary>
    public abstract IReadOnlyList<TaskMetric> Metrics(float[] prediction);

    /// <summary>The task's classical baseline (FBP, bicubic, …) with its metrics, or null.</summary>
    public virtual (string Name, IReadOnlyList<TaskMetric> Metrics)? Baseline => null;

    /// <summary>
    /// Files and report sections for one run (<paramref name="runs"/> has one entry, label "") or a
    /// comparison (one entry per run, labelled).
    /// </summary>
    public abstract TaskArtifacts Artifacts(IReadOnlyList<(string Label, float[] Prediction)> runs);

    /// <summary>Releases the tensors of the problem.</summary>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
