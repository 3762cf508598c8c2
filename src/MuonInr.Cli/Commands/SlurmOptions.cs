using System.CommandLine;
using MuonInr.Sweeps;

namespace MuonInr.Cli.Commands;

/// <summary>The Slurm flags of <c>muoninr sweep</c>.</summary>
internal sealed class SlurmOptions
{
    public readonly Option<string?> Partition = new("--partition") { Description = "Slurm: partition." };
    public readonly Option<string?> Time = new("--time") { Description = "Slurm: time limit per run (e.g. 01:00:00)." };
    public readonly Option<string?> Cpus = new("--cpus-per-task") { Description = "Slurm: CPUs per run (its MUONINR_THREADS); default 2." };
    public readonly Option<string?> Limit = new("--array-limit") { Description = "Slurm: at most N array tasks at once (%N)." };
    public readonly Option<string[]> Extra = new("--sbatch-arg") { Description = "Slurm: an extra sbatch flag, verbatim (repeatable), e.g. --sbatch-arg=--account=abc.", AllowMultipleArgumentsPerToken = false };
    public readonly Option<bool> Wait = new("--wait") { Description = "Slurm: block until each job array finished instead of chaining gather jobs." };

    public IEnumerable<Option> All => [Partition, Time, Cpus, Limit, Extra, Wait];

    /// <summary>
    /// The Slurm executor for the parsed flags. <paramref name="continueArgs"/> is the sweep command the gather
    /// job re-runs (without the Slurm flags, which are appended here in a form that parses back the same).
    /// </summary>
    public SlurmExecutor Build(ParseResult p, RunLauncher launcher, IReadOnlyList<string> continueArgs)
    {
        int cpus = p.GetValue(Cpus) is { } c ? CliValues.Int(c, "--cpus-per-task") : 2;
        if (cpus < 1) throw new CliException($"--cpus-per-task must be ≥ 1, got {cpus}.", CliApp.Usage);
        int? limit = p.GetValue(Limit) is { } l ? CliValues.Int(l, "--array-limit") : null;
        if (limit is < 1) throw new CliException($"--array-limit must be ≥ 1, got {limit}.", CliApp.Usage);
        // The gather job re-runs the sweep command (it continues the sweep where the array left it) with the
        // same Slurm flags, never --wait (it is itself a Slurm job).
        var args = continueArgs.ToList();
        if (p.GetValue(Partition) is { } part) args.AddRange(["--partition", part]);
        if (p.GetValue(Time) is { } time) args.AddRange(["--time", time]);
        args.AddRange(["--cpus-per-task", cpus.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (limit is { } lim) args.AddRange(["--array-limit", lim.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        foreach (var f in p.GetValue(Extra) ?? []) args.Add("--sbatch-arg=" + f);
        return new SlurmExecutor(launcher, new SlurmSettings
        {
            Partition = p.GetValue(Partition), Time = p.GetValue(Time), CpusPerTask = cpus, ArrayLimit = limit,
            ExtraFlags = p.GetValue(Extra) ?? [], Wait = p.GetValue(Wait), ContinueArgs = args,
        });
    }
}
