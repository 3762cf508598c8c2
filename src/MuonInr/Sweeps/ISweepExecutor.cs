namespace MuonInr.Sweeps;

/// <summary>Decides where the runs of a sweep execute (ARCHITECTURE decision 16); what a run is stays the RunSpec.</summary>
public interface ISweepExecutor
{
    /// <summary>
    /// Executes <paramref name="pending"/> (runs of <paramref name="folder"/>'s plan) and returns when each
    /// finished, failed <paramref name="retries"/> + 1 times, or <paramref name="shouldStop"/> said stop.
    /// Each run writes its own directory and database row (<c>muoninr sweep run-one</c>).
    /// </summary>
    Task ExecuteAsync(SweepFolder folder, IReadOnlyList<PlannedRun> pending, int retries, Func<bool> shouldStop, Action<string> log);
}
