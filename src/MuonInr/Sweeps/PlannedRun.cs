using MuonInr.Experiments;

namespace MuonInr.Sweeps;

/// <summary>One run of a sweep: its stable id, stage, grid, and resolved RunSpec.</summary>
/// <param name="Id">First 12 hex digits of the SHA-256 of the resolved spec (without the version): the same configuration always gets the same id and directory.</param>
/// <param name="Stage">tune or evaluate.</param>
/// <param name="Grid">Name of the grid it came from.</param>
/// <param name="ConfigKey">Id of the configuration without its data file and seed (groups a configuration's runs).</param>
/// <param name="Spec">The resolved RunSpec.</param>
/// <param name="Data">Label of its data entry when the entry sets task options (<see cref="SweepData.Label"/>); null for a plain file.</param>
public sealed record PlannedRun(string Id, string Stage, string Grid, string ConfigKey, RunSpec Spec, string? Data = null)
{
    /// <summary>What the run was fitted to, for tables: the entry's label, else the file name.</summary>
    public string DataLabel => Data ?? (Spec.Data is null or "generated" ? Spec.Data ?? "" : System.IO.Path.GetFileName(Spec.Data));
}
