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

    public SlurmExecutor Build(ParseResult p, RunLauncher launcher)
    {
        int cpus = p.GetValue(Cpus) is { } c ? CliValues.Int(c, "--cpus-per-task") : 2;
        if (cpus < 1) throw new CliException($"--cpus-per-task must be ≥ 1, got {cpus}.", CliApp.Usage);
        int? limit = p.GetValue(Limit) is { } l ? CliValues.Int(l, "--array-limit") : null;
        if (limit is < 1) throw new CliException($"--array-limit must be ≥ 1, got {limit}.", CliApp.Usage);
        // The gather job re-runs this very command line (it continues the sweep where the array left it).
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        return new SlurmExecutor(launcher, new SlurmSettings
        {
            Partition = p.GetValue(Partition), Time = p.GetValue(Time), CpusPerTask = cpus, ArrayLimit = limit,
            ExtraFlags = p.GetValue(Extra) ?? [], Wait = p.GetValue(Wait), ContinueArgs = args,
        });
    }
}
