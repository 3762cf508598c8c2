namespace MuonInr.Tasks;

/// <summary>
/// The tasks MuonInr knows by name. The built-in ones are registered here (one line each); a program or a
/// test adds its own with <see cref="Register"/> before it parses a command line or a RunSpec.
/// </summary>
public static class TaskRegistry
{
    private static readonly object Gate = new();
    private static readonly List<IFitTask> Tasks =
    [
        new Image.ImageTask(),
        new Audio.AudioTask(),
        new Ct.CtTask(),
        new Sisr.SisrTask(),
        new Sdf.SdfTask(),
    ];

    /// <summary>Every registered task, in registration order.</summary>
    public static IReadOnlyList<IFitTask> All { get { lock (Gate) return [.. Tasks]; } }

    /// <summary>Adds a task; replaces a registered task of the same name.</summary>
    public static void Register(IFitTask task)
    {
        lock (Gate)
        {
            Tasks.RemoveAll(t => t.Name == task.Name);
            Tasks.Add(task);
        }
    }

    /// <summary>The task called <paramref name="name"/>, or an error listing the known ones.</summary>
    public static IFitTask Get(string? name)
    {
        lock (Gate)
            return Tasks.FirstOrDefault(t => t.Name == name)
                ?? throw new ArgumentException($"Unknown task '{name}'; expected one of {string.Join(", ", Tasks.Select(t => t.Name))}.");
    }
}
