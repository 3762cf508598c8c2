using System.CommandLine;
using MuonInr.Cli.Commands;
using MuonInr.Kernels;

namespace MuonInr.Cli;

/// <summary>The <c>muoninr</c> command: parsing, global options and exit codes.</summary>
internal static class CliApp
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;
    /// <summary>Exit code for a runtime failure with a clear message (bad file, non-finite loss, …).</summary>
    public const int Failure = 1;
    /// <summary>Exit code for invalid usage (unknown option, bad value).</summary>
    public const int Usage = 2;

    public static readonly Option<string> Blas = new("--blas")
    {
        Description = "GEMM provider: auto (the faster of managed and native BLAS on a training step's GEMMs, measured once per machine and cached; managed when no native BLAS is found or within 3 %), managed, native. Default: $MUONINR_BLAS or auto.",
        Recursive = true,
    };

    /// <summary>
    /// Runs the command line <paramref name="args"/>. <paramref name="shouldStop"/> is asked after every
    /// training step (the program passes the SIGINT/SIGTERM flag); <paramref name="quiet"/> drops progress bars.
    /// </summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, Func<bool>? shouldStop = null, bool quiet = false)
    {
        var output = stdout ?? Console.Out;
        var error = stderr ?? Console.Error;
        var ctx = new CliContext(output, error, shouldStop ?? (() => false), quiet || stderr is not null);
        var root = new RootCommand("MuonInr: high-fidelity implicit neural representations with rank-preserving (Muon) optimizers.");
        root.Add(Blas);
        VersionInfo.Install(root); // --version: version, GEMM provider and instruction set
        root.Add(DemoCommand.Create(ctx));
        var fit = new Command("fit", "Fit an INR to a signal: muoninr fit TASK DATA [options].");
        var compare = new Command("compare", "Compare optimizers (and architectures) on one signal: muoninr compare TASK DATA [options].");
        foreach (var task in MuonInr.Tasks.TaskRegistry.All) { fit.Add(TaskCommands.Fit(task, ctx)); compare.Add(TaskCommands.Compare(task, ctx)); }
        root.Add(fit);
        root.Add(compare);
        root.Add(RunCommand.Create(ctx));
        root.Add(PresetsCommand.Create(ctx));
        root.Add(SweepCommand.Create(ctx));
        root.Add(RunsCommand.Create(ctx));
        root.Add(BenchCommand.Create(output, error));
        // Our own handler below turns exceptions into one-line messages (no stack traces for users).
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) error.WriteLine($"error: {PlainTypeNames(e.Message)}");
                error.WriteLine("Run 'muoninr --help' for usage.");
                return Usage;
            }
            ApplyGlobalOptions(parse, error);
            return parse.Invoke(config);
        }
        catch (CliException e)
        {
            error.WriteLine($"error: {MuonInr.Tasks.RunSpecException.OneLine(e.Message)}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException or InvalidDataException or InsufficientMemoryException)
        {
            error.WriteLine($"error: {MuonInr.Tasks.RunSpecException.OneLine(e.Message)}");
            return Failure;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("MUONINR_DEBUG") is null)
        {
            error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message} (set MUONINR_DEBUG=1 for the stack trace)");
            return Failure;
        }
    }

    private static void ApplyGlobalOptions(ParseResult parse, TextWriter error)
    {
        var blas = parse.GetValue(Blas);
        if (blas is not null && string.IsNullOrWhiteSpace(blas)) throw new CliException("--blas takes auto, managed or native, got ''.", Usage);
        try
        {
            if (!string.IsNullOrWhiteSpace(blas)) Gemm.Provider = GemmProviders.FromName(blas);
            else _ = Gemm.Provider; // resolves MUONINR_BLAS now, so a bad value is reported here, not mid-run
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or DllNotFoundException or TypeInitializationException)
        {
            string message = (e as TypeInitializationException)?.InnerException?.Message ?? e.Message;
            throw new CliException(blas is null ? $"MUONINR_BLAS: {message}" : $"--blas: {message}", Usage);
        }
        // MUONINR_THREADS above the core count is capped (oversubscribed spinning workers starve each other),
        // an invalid value falls back to the core count: say so once, on stderr.
        if (MuonInr.Kernels.WorkerPool.ConfigurationMessage is { } threads) error.WriteLine("warning: " + threads);
    }

    // System.CommandLine names the expected type as .NET spells it ("as expected type
    // 'System.Nullable`1[System.Int32]'"); users read "a whole number".
    internal static string PlainTypeNames(string message)
    {
        foreach (var (clr, plain) in new[]
        {
            ("System.Nullable`1[System.Int32]", "a whole number"), ("System.Int32", "a whole number"),
            ("System.Nullable`1[System.Int64]", "a whole number"), ("System.Int64", "a whole number"),
            ("System.Nullable`1[System.Double]", "a number"), ("System.Double", "a number"),
            ("System.Nullable`1[System.Single]", "a number"), ("System.Single", "a number"),
            ("System.Nullable`1[System.Boolean]", "true or false"), ("System.Boolean", "true or false"),
        })
            message = message.Replace($"as expected type '{clr}'", $"as {plain}", StringComparison.Ordinal);
        return message;
    }
}

/// <summary>An error to report to the user as one clear line, with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = CliApp.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
