using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using MuonInr.Cli;
using MuonInr.Experiments;
using Xunit.Abstractions;

namespace MuonInr.Tests.Packaging;

/// <summary>
/// MuonInr as a user installs it: the packages that <c>dotnet pack</c> makes, the <c>muoninr</c> dotnet
/// tool installed from them, and a console project outside the solution that references MuonInr.Core
/// from the package folder alone. The end-to-end test is slow (pack, tool install, restore, build):
/// skip it in quick runs with <c>--filter Category!=Slow</c>; CI's plain <c>dotnet test</c> runs it.
/// </summary>
public class PackagingTests
{
    private readonly ITestOutputHelper _out;
    public PackagingTests(ITestOutputHelper output) => _out = output;

    private static readonly string[] PackageIds = ["MuonInr.Core", "MuonInr", "MuonInr.Cli"];

    /// <summary>The repository root (the folder holding MuonInr.slnx) above the test binaries.</summary>
    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MuonInr.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"MuonInr.slnx not found above {AppContext.BaseDirectory}");
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n").Trim();

    [Fact]
    public void Readme_shows_the_library_example_exactly_as_the_packaging_test_compiles_it()
    {
        string root = RepoRoot();
        string example = Normalise(File.ReadAllText(Path.Combine(root, "examples", "muon-mlp", "Program.cs")));
        string readme = Normalise(File.ReadAllText(Path.Combine(root, "README.md")));
        Assert.Contains("```csharp\n" + example + "\n```", readme);
        int install = readme.IndexOf("\n## Install", StringComparison.Ordinal), quick = readme.IndexOf("\n## Quick start", StringComparison.Ordinal);
        Assert.True(quick >= 0 && install > quick, "README: the Install section follows the quick start");
        Assert.Contains("\n## Use Muon in your own model", readme);
    }

    [Fact]
    public void Version_prints_the_version_the_gemm_provider_and_the_instruction_set()
    {
        var o = new StringWriter(); var e = new StringWriter();
        int code = CliApp.Run(["--version"], o, e);
        Assert.Equal(0, code);
        string[] lines = o.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _out.WriteLine(o.ToString());
        Assert.StartsWith($"muoninr {RunSpec.CurrentVersion}", lines[0]);
        Assert.Equal($"GEMM provider: {MuonInr.Kernels.Gemm.Provider.Name}", lines[1]);
        Assert.StartsWith("instruction set: ", lines[2]);
        Assert.DoesNotContain("unknown provider", lines[2]);
    }

    [Fact]
    public void Version_comes_from_one_source()
    {
        // Directory.Build.props sets <Version>: every assembly carries it, and RunSpec reports it.
        var versions = new[] { typeof(RunSpec), typeof(MuonInr.Optim.MuonWithAuxAdam), typeof(CliApp) }
            .Select(t => t.Assembly.GetName().Version!.ToString(3)).Distinct().ToList();
        Assert.Single(versions);
        Assert.Equal(versions[0], RunSpec.CurrentVersion);
        Assert.NotEqual("0.0.0", RunSpec.CurrentVersion);
        Assert.NotEqual("1.0.0", RunSpec.CurrentVersion); // the SDK default: <Version> was not read
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Packages_install_the_tool_and_build_an_outside_project_against_the_library()
    {
        var total = Stopwatch.StartNew();
        string root = RepoRoot();
        string tmp = Path.Combine(Path.GetTempPath(), "muoninr-pack-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            string pkg = Path.Combine(tmp, "pkg"), tools = Path.Combine(tmp, "tools"), app = Path.Combine(tmp, "app");
            // Stop MSBuild's upward search for Directory.Build.* at the temp folder.
            File.WriteAllText(Path.Combine(tmp, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(tmp, "Directory.Build.targets"), "<Project />\n");
            // Sources: the packed folder, and the machine's global packages folder as a local feed for the
            // library's dependencies (restored there when the solution was built), so nothing is fetched.
            string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } gp
                ? gp : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string config = Path.Combine(tmp, "NuGet.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="muoninr-packed" value="{pkg}" />
                    <add key="global-packages" value="{globalPackages}" />
                  </packageSources>
                </configuration>
                """);

            // 1. Pack what the test run already built (same configuration), into the temp folder.
            string configuration = typeof(PackagingTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            Dotnet(tmp, root, TimeSpan.FromSeconds(150), "pack", Path.Combine(root, "MuonInr.slnx"), "-c", configuration, "--no-build", "-o", pkg, "-nodeReuse:false");
            foreach (var id in PackageIds)
                Assert.True(Directory.GetFiles(pkg).Any(f => Regex.IsMatch(Path.GetFileName(f), $@"^{Regex.Escape(id)}\.\d+\.\d+\.\d+.*\.nupkg$")), $"pack made no {id} package");
            string cliPackage = Path.GetFileName(Directory.GetFiles(pkg, "MuonInr.Cli.*.nupkg").Single());
            string version = cliPackage["MuonInr.Cli.".Length..^".nupkg".Length];
            Assert.StartsWith(RunSpec.CurrentVersion, version);
            foreach (var id in PackageIds) Assert.True(File.Exists(Path.Combine(pkg, $"{id}.{version}.nupkg")), $"{id} has another version than {version}");
            _out.WriteLine($"packed {string.Join(", ", PackageIds)} {version} in {total.Elapsed.TotalSeconds:F0} s");

            // 2. Install the tool from the folder, as a user would, and use it.
            Dotnet(tmp, tmp, TimeSpan.FromSeconds(120), "tool", "install", "--tool-path", tools, "--add-source", pkg, "--configfile", config, "MuonInr.Cli", "--version", version);
            string muoninr = Path.Combine(tools, OperatingSystem.IsWindows() ? "muoninr.exe" : "muoninr");
            string help = Run(muoninr, tmp, TimeSpan.FromSeconds(30), "--help");
            Assert.Contains("fit", help);
            string versionText = Run(muoninr, tmp, TimeSpan.FromSeconds(30), "--version");
            Assert.Contains($"muoninr {RunSpec.CurrentVersion}", versionText);
            Assert.Contains("GEMM provider:", versionText);
            string runDir = Path.Combine(tmp, "run");
            Run(muoninr, tmp, TimeSpan.FromSeconds(60), "fit", "image", "generated", "--steps", "20", "--hidden", "16", "--layers", "3", "--generated-width", "32", "--out", runDir);
            Assert.True(File.Exists(Path.Combine(runDir, "report.html")), "the installed tool wrote no report.html");
            _out.WriteLine($"tool installed and fitted at {total.Elapsed.TotalSeconds:F0} s");

            // 3. The README's library example, built outside the solution against the package alone.
            Directory.CreateDirectory(app);
            string example = Path.Combine(root, "examples", "muon-mlp");
            File.Copy(Path.Combine(example, "Program.cs"), Path.Combine(app, "Program.cs"));
            string csproj = File.ReadAllText(Path.Combine(example, "MuonMlp.csproj"));
            Assert.Matches("<PackageReference Include=\"MuonInr.Core\" Version=\"[^\"]+\" />", csproj);
            csproj = Regex.Replace(csproj, "(<PackageReference Include=\"MuonInr.Core\" Version=\")[^\"]+", m => m.Groups[1].Value + version);
            File.WriteAllText(Path.Combine(app, "MuonMlp.csproj"), csproj);
            Dotnet(tmp, app, TimeSpan.FromSeconds(150), "build", "-c", "Release", "-nodeReuse:false"); // tmp/NuGet.config applies
            Assert.True(Directory.Exists(Path.Combine(tmp, "nuget-packages", "muoninr.core", version)), "the sample did not restore MuonInr.Core from the packed folder");
            string output = Dotnet(tmp, app, TimeSpan.FromSeconds(60), Path.Combine(app, "bin", "Release", "net10.0", "MuonMlp.dll"));
            var losses = Regex.Matches(output, @"loss\s+([0-9.eE+-]+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.True(losses.Count >= 3, $"expected loss lines, got:\n{output}");
            Assert.All(losses, l => Assert.True(double.IsFinite(l)));
            Assert.True(losses[^1] < 0.1 * losses[0], $"loss did not fall tenfold: {string.Join(", ", losses)}");
            _out.WriteLine(output);
            _out.WriteLine($"total {total.Elapsed.TotalSeconds:F0} s");
        }
        finally
        {
            try { Directory.Delete(tmp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Runs the dotnet host with a NuGet cache under <paramref name="tmp"/> (no stale package of the same version).</summary>
    private string Dotnet(string tmp, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        return Run(host, workingDirectory, timeout, args, psi =>
        {
            psi.Environment["NUGET_PACKAGES"] = Path.Combine(tmp, "nuget-packages");
            psi.Environment["NUGET_HTTP_CACHE_PATH"] = Path.Combine(tmp, "nuget-http-cache");
        });
    }

    private string Run(string file, string workingDirectory, TimeSpan timeout, params string[] args) => Run(file, workingDirectory, timeout, args, null);

    private string Run(string file, string workingDirectory, TimeSpan timeout, string[] args, Action<ProcessStartInfo>? configure)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host runs under `dotnet test`, whose MSBuild variables must not leak into a nested build.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // One GEMM thread: this test checks installation, not speed, and spinning workers on a loaded
        // 2-core machine (test assemblies run in parallel) stretched the 1 s sample to 30-40 s.
        psi.Environment["MUONINR_THREADS"] = "1";
        configure?.Invoke(psi);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', args)} ran past {timeout.TotalSeconds:F0} s:\n{stdout.Result}\n{stderr.Result}");
        }
        string text = stdout.Result + stderr.Result;
        _out.WriteLine($"$ {Path.GetFileName(file)} {string.Join(' ', args)}  [{watch.Elapsed.TotalSeconds:F1} s, exit {process.ExitCode}]");
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
