using System.Runtime.InteropServices;

namespace MuonInr.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM ask the running fit to stop at the next step boundary: it writes
/// config.json, the metrics so far, a final checkpoint and a summary marked "interrupted", then the
/// command exits with 130. A second signal is not intercepted and ends the process at once.
/// </summary>
internal static class StopSignal
{
    private static volatile bool _requested;
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static readonly object Gate = new();

    /// <summary>Whether a stop was requested.</summary>
    public static bool Requested => _requested;

    /// <summary>Exit code of a run stopped by a signal (128 + SIGINT).</summary>
    public const int ExitCode = 130;

    /// <summary>Installs the handlers (once per process).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (Registrations.Count > 0) return;
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
                Registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
                {
                    if (_requested) return; // second signal: default action (terminate)
                    _requested = true;
                    ctx.Cancel = true;
                    Console.Error.WriteLine();
                    Console.Error.WriteLine($"{ctx.Signal}: stopping at the end of this step (send it again to quit at once)...");
                }));
        }
    }

}
