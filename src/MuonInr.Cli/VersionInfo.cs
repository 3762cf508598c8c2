using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using MuonInr.Experiments;
using MuonInr.Kernels;

namespace MuonInr.Cli;

/// <summary>
/// What <c>muoninr --version</c> prints: the version (with the commit it was built from, when known),
/// the GEMM provider in use and the instruction set its kernels run on.
/// </summary>
internal static class VersionInfo
{
    /// <summary>The lines printed by <c>muoninr --version</c>, for the current <see cref="Gemm.Provider"/>.</summary>
    public static IReadOnlyList<string> Lines()
    {
        var provider = Gemm.Provider;
        return
        [
            $"muoninr {RunSpec.CurrentVersion}{Commit()}",
            $"GEMM provider: {provider.Name}",
            $"instruction set: {InstructionSet(provider)}",
            $"runtime: .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}, {Environment.ProcessorCount} cores",
        ];
    }

    /// <summary>" (commit abc1234)" from the informational version's "+sha" suffix, or "".</summary>
    private static string Commit()
    {
        string? info = typeof(RunSpec).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        int plus = info?.IndexOf('+') ?? -1;
        if (info is null || plus < 0 || plus == info.Length - 1) return "";
        string sha = info[(plus + 1)..];
        return $" (commit {sha[..Math.Min(7, sha.Length)]})";
    }

    private static string InstructionSet(IGemmProvider provider) => provider switch
    {
        ManagedGemm m => $"{IsaName(m.Isa)} (managed kernels)",
        NativeBlasGemm n => $"chosen by the native BLAS ({n.Library}); the managed kernels would use {IsaName(GemmProviders.Managed.Isa)}",
        GemmReference => "scalar (reference kernel)",
        _ => $"unknown provider; the managed kernels would use {IsaName(GemmProviders.Managed.Isa)}",
    };

    private static string IsaName(GemmKernelIsa isa) => isa switch
    {
        GemmKernelIsa.Avx512 => "AVX-512",
        GemmKernelIsa.Avx2 => "AVX2+FMA",
        GemmKernelIsa.Vector128 => "128-bit vectors",
        _ => isa.ToString(),
    };

    /// <summary>Replaces the built-in <c>--version</c> action (version only) with one that prints <see cref="Lines"/>.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
            if (option is VersionOption version) version.Action = new PrintAction();
    }

    private sealed class PrintAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var line in Lines()) output.WriteLine(line);
            return CliApp.Ok;
        }
    }
}
