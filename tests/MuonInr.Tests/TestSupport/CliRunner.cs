using MuonInr.Cli;

namespace MuonInr.Tests.TestSupport;

/// <summary>Runs the muoninr command line in this process and captures its exit code and both streams.</summary>
public static class CliRunner
{
    /// <summary>Runs <paramref name="args"/>; <paramref name="stop"/> stands in for SIGINT/SIGTERM (asked after every step).</summary>
    public static (int Code, string Out, string Err) Run(string[] args, Func<bool>? stop = null)
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = CliApp.Run(args, o, e, stop);
        return (code, o.ToString(), e.ToString());
    }
}
