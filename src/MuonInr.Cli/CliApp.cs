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
        Description = "GEMM provider: auto (managed on AVX-512 CPUs, else native BLAS if found, else managed), managed, native. Default: $MUONINR_BLAS or auto.",
        Recursive = true,
    };

    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = stdout ?? Console.Out;
        var error = stderr ?? Console.Error;
        var root = new RootCommand("MuonInr: high-fidelity implicit neural representations with rank-preserving (Muon) optimizers.");
        root.Add(Blas);
        root.Add(DemoCommand.Create(output));
        root.Add(new Command("fit", "Fit an INR to a signal.") { ImageCommands.Fit(output), ImageCommands.Fit(output, "ct"), ImageCommands.Fit(output, "sisr"), AudioCommands.Fit(output) });
        root.Add(new Command("compare", "Compare optimizers on the same signal and model.") { ImageCommands.Compare(output), ImageCommands.Compare(output, "ct"), ImageCommands.Compare(output, "sisr"), AudioCommands.Compare(output) });
        root.Add(BenchCommand.Create(output));
        // Our own handler below turns exceptions into one-line messages (no stack traces for users).
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) error.WriteLine($"error: {e.Message}");
                error.WriteLine("Run 'muoninr --help' for usage.");
                return Usage;
            }
            ApplyGlobalOptions(parse);
            return parse.Invoke(config);
        }
        catch (CliException e)
        {
            error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException or InvalidDataException)
        {
            error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("MUONINR_DEBUG") is null)
        {
            error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message} (set MUONINR_DEBUG=1 for the stack trace)");
            return Failure;
        }
    }

    private static void ApplyGlobalOptions(ParseResult parse)
    {
        var blas = parse.GetValue(Blas);
        if (!string.IsNullOrWhiteSpace(blas))
        {
            try { Gemm.Provider = GemmProviders.FromName(blas); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or DllNotFoundException)
            {
                throw new CliException(e.Message, Usage);
            }
        }
    }
}

/// <summary>An error to report to the user as one clear line, with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = CliApp.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
