using System.Reflection;
using System.Runtime.InteropServices;

namespace MuonInr.Kernels;

/// <summary>
/// What a cached <see cref="GemmCalibration"/> decision depends on. Any field that differs from the cached
/// one means the decision is measured again (and the cache overwritten): another CPU or core count (a
/// container or affinity change), another managed instruction set, another or upgraded BLAS, another
/// MuonInr build, or another thread setting.
/// </summary>
/// <param name="CpuModel">The CPU's model name (Linux: "model name" of /proc/cpuinfo; Windows: PROCESSOR_IDENTIFIER; else the architecture and OS).</param>
/// <param name="LogicalCores"><see cref="Environment.ProcessorCount"/> (honours affinity and container limits).</param>
/// <param name="Managed">The managed provider's name, which carries its instruction set, e.g. "managed-avx2".</param>
/// <param name="Native">The native provider: its name and the library loaded, e.g. "openblas (libopenblas.so.0)".</param>
/// <param name="NativeVersion">The native library's own version string, or "" when it has none.</param>
/// <param name="AssemblyVersion">MuonInr.Core's informational version (with the commit when the build knows it), else its assembly version.</param>
/// <param name="Threads">The raw values of MUONINR_THREADS, OPENBLAS_NUM_THREADS and OMP_NUM_THREADS ("" when unset).</param>
public sealed record GemmCalibrationKey(string CpuModel, int LogicalCores, string Managed, string Native, string NativeVersion, string AssemblyVersion, string Threads)
{
    /// <summary>The key of this process for the given providers.</summary>
    public static GemmCalibrationKey Current(IGemmProvider managed, IGemmProvider native)
    {
        string nativeName = native is NativeBlasGemm blas ? $"{blas.Name} ({blas.Library})" : native.Name;
        string version = (native as NativeBlasGemm)?.Version ?? "";
        string threads = string.Join(";", new[] { WorkerPool.ThreadsVariable, "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS" }
            .Select(v => $"{v}={Environment.GetEnvironmentVariable(v) ?? ""}"));
        return new GemmCalibrationKey(CpuModelName(), Environment.ProcessorCount, managed.Name, nativeName, version,
            CoreVersion(), threads);
    }

    // The informational version carries the commit ("0.1.0+abc1234") when the build knows it: a new build
    // may have new kernels, so it is measured again (once, about 0.2 s).
    private static string CoreVersion()
    {
        var assembly = typeof(GemmCalibrationKey).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "";
    }

    /// <summary>A human-readable CPU model name; never throws.</summary>
    public static string CpuModelName()
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString();
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    // x86 says "model name"; some ARM kernels only say "Hardware" or "CPU part".
                    int colon = line.IndexOf(':');
                    if (colon > 0 && line[..colon].Trim() is "model name" or "Hardware")
                        return line[(colon + 1)..].Trim();
                }
            }
            if (OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") is { Length: > 0 } id)
                return id.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return $"{arch} {RuntimeInformation.OSDescription}".Trim();
    }
}
