namespace MuonInr.Tasks;

/// <summary>
/// A task plug-in (ARCHITECTURE decision 15): it declares its options, loads and validates its data and
/// turns it into a <see cref="FitProblem"/> (the training objective with its forward operator, the
/// metrics, the report panels and files). The pipeline, the CLI (<c>fit TASK</c>, <c>compare TASK</c>),
/// config.json and the presets table handle every task the same way: adding a task is one class and one
/// line in <see cref="TaskRegistry"/>.
/// </summary>
public interface IFitTask
{
    /// <summary>Name on the command line and in config.json ("image", "audio", "ct", …).</summary>
    string Name { get; }

    /// <summary>One line for <c>muoninr fit --help</c>.</summary>
    string Description { get; }

    /// <summary>What the data argument is ("PNG, JPEG, BMP, TGA or GIF image ('generated' for the test image)").</summary>
    string DataDescription { get; }

    /// <summary>The task's own settings; their defaults are in the presets table.</summary>
    IReadOnlyList<TaskOption> Options { get; }

    /// <summary>
    /// The task's entry of the presets table as JSON (same shape as a task of
    /// <c>Experiments/Presets/presets.json</c>), for a plug-in that brings its own defaults; null for the
    /// built-in tasks, whose presets are in the table. A presets file can still override it.
    /// </summary>
    string? PresetsJson => null;

    /// <summary>
    /// Loads and validates the data of <paramref name="context"/> and builds the problem. Bad input throws
    /// <see cref="MuonInr.IO.DataFormatException"/>, <see cref="FileNotFoundException"/> or
    /// <see cref="ArgumentException"/> with one line naming the value and what is accepted.
    /// </summary>
    FitProblem Prepare(TaskContext context);
}
