namespace MuonInr.Sweeps;

/// <summary>
/// How to start <c>muoninr</c> in a child process: the host and the arguments that come before the
/// command. From the running CLI it is itself (<c>dotnet MuonInr.Cli.dll</c> or the apphost).
/// </summary>
/// <param name="FileName">Executable.</param>
/// <param name="Prefix">Arguments before the muoninr command (e.g. the CLI dll for <c>dotnet</c>).</param>
public sealed record RunLauncher(string FileName, IReadOnlyList<string> Prefix)
{
    /// <summary>A launcher for the CLI assembly at <paramref name="cliDll"/> run by the current dotnet host.</summary>
    public static RunLauncher ForDll(string cliDll)
    {
        string host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        return new RunLauncher(host, [cliDll]);
    }

    /// <summary>The command line as one shell-quoted string (for sbatch scripts).</summary>
    public string Shell(params string[] args) => string.Join(' ', new[] { FileName }.Concat(Prefix).Concat(args).Select(Quote));

    /// <summary>POSIX single-quote quoting.</summary>
    public static string Quote(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "/._-=:,+@".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
