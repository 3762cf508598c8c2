using System.Text.Encodings.Web;
using System.Text.Json;

namespace MuonInr.Kernels;

/// <summary>
/// The per-machine cache of the <see cref="GemmCalibration"/> decision: one small JSON file,
/// <see cref="FileName"/>, in <see cref="Directory"/>. Reading never throws (a missing, corrupt, truncated or
/// foreign file reads as "no decision"); writing goes through a temporary file renamed into place, so a
/// reader never sees half a file.
/// </summary>
public sealed class GemmDecisionCache(string directory)
{
    /// <summary>The environment variable that overrides the cache folder (tests point it at a temporary folder).</summary>
    public const string DirectoryVariable = "MUONINR_CACHE_DIR";

    /// <summary>The cache file's name.</summary>
    public const string FileName = "gemm-calibration.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }; // readable: "step's", not "step\u0027s"

    /// <summary>The folder holding the cache file.</summary>
    public string Directory { get; } = directory;

    /// <summary>The cache file's full path.</summary>
    public string FilePath => Path.Combine(Directory, FileName);

    /// <summary>
    /// The default folder: <c>MUONINR_CACHE_DIR</c> when set; else <c>$XDG_CACHE_HOME/muoninr</c> or
    /// <c>~/.cache/muoninr</c> on Linux and other Unix systems, <c>%LOCALAPPDATA%\muoninr</c> on Windows,
    /// <c>~/Library/Caches/muoninr</c> on macOS; null when no home folder is known.
    /// </summary>
    public static string? DefaultDirectory() => DefaultDirectory(Environment.GetEnvironmentVariable);

    /// <summary><see cref="DefaultDirectory()"/> with the environment read through <paramref name="env"/> (for tests).</summary>
    public static string? DefaultDirectory(Func<string, string?> env)
    {
        if (env(DirectoryVariable) is { Length: > 0 } overridden) return overridden;
        if (OperatingSystem.IsWindows())
        {
            string local = env("LOCALAPPDATA") is { Length: > 0 } l ? l : Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return local.Length > 0 ? Path.Combine(local, "muoninr") : null;
        }
        string home = env("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS()) return home.Length > 0 ? Path.Combine(home, "Library", "Caches", "muoninr") : null;
        // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
        if (env("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "muoninr");
        return home.Length > 0 ? Path.Combine(home, ".cache", "muoninr") : null;
    }

    /// <summary>The cached record when the file exists, parses, has the current format and <paramref name="key"/>; else null.</summary>
    public GemmCalibrationRecord? TryRead(GemmCalibrationKey key)
    {
        try
        {
            if (!File.Exists(FilePath)) return null;
            var record = JsonSerializer.Deserialize<GemmCalibrationRecord>(File.ReadAllText(FilePath), Json);
            return record is { Format: GemmCalibrationRecord.CurrentFormat, Chosen: not null, Summary: not null, Timings: not null }
                && key.Equals(record.Key) ? record : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null; // corrupt, truncated or unreadable: measure again and overwrite
        }
    }

    /// <summary>
    /// Stores <paramref name="record"/> and returns the record now in effect: normally
    /// <paramref name="record"/>, but when another process stored a valid record for the same key while this
    /// one was measuring, that one (first writer wins, so concurrent processes on one machine agree).
    /// Returns false with the reason when the file cannot be written (read-only home, full disk); never throws.
    /// </summary>
    public bool TryWrite(GemmCalibrationRecord record, out GemmCalibrationRecord inEffect, out string? problem)
    {
        inEffect = record;
        string temp = Path.Combine(Directory, $".{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            File.WriteAllText(temp, JsonSerializer.Serialize(record, Json));
            if (TryRead(record.Key) is { } other)
            {
                File.Delete(temp);
                inEffect = other;
            }
            else File.Move(temp, FilePath, overwrite: true);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            try { if (File.Exists(temp)) File.Delete(temp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            problem = $"{FilePath}: {e.Message}";
            return false;
        }
    }
}
