using System.Text.Encodings.Web;
using System.Text.Json;

namespace MuonInr.Kernels;

/// <summary>
/// The per-machine cache of the <see cref="GemmCalibration"/> decisions: one small JSON file,
/// <see cref="FileName"/>, in <see cref="Directory"/>, holding up to <see cref="MaxRecords"/> decisions, one
/// per key (most recent first): a sweep's runs (MUONINR_THREADS=1) and an interactive session (all cores)
/// keep their own decisions instead of overwriting each other's. Reading never throws (a missing, corrupt,
/// truncated or foreign file reads as "no decision"); writing goes through a temporary file renamed into
/// place, so a reader never sees half a file.
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

    /// <summary>Decisions kept in the file (the oldest is dropped beyond this).</summary>
    public const int MaxRecords = 16;

    /// <summary>Format of the file (a list of records); a file holding one bare record (format 1) is still read.</summary>
    public const int FileFormat = 2;

    private sealed record CacheFile(int Format, List<GemmCalibrationRecord> Records);

    /// <summary>The cached decision for <paramref name="key"/>, or null (no file, no such key, unreadable file).</summary>
    public GemmCalibrationRecord? TryRead(GemmCalibrationKey key) => ReadAll().FirstOrDefault(r => key.Equals(r.Key));

    // Every valid record of the file, most recent first; an unreadable file reads as empty.
    private List<GemmCalibrationRecord> ReadAll()
    {
        try
        {
            if (!File.Exists(FilePath)) return [];
            string text = File.ReadAllText(FilePath);
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return [];
            List<GemmCalibrationRecord?> records = doc.RootElement.TryGetProperty("Records", out _)
                ? JsonSerializer.Deserialize<CacheFile>(text, Json) is { Format: FileFormat, Records: { } list } ? [.. list] : []
                : [JsonSerializer.Deserialize<GemmCalibrationRecord>(text, Json)];
            return records.Where(r => r is { Format: GemmCalibrationRecord.CurrentFormat, Key: not null, Chosen: not null, Summary: not null, Timings: not null })
                          .Select(r => r!).ToList();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return []; // corrupt, truncated or unreadable: measure again and overwrite
        }
    }

    /// <summary>
    /// Adds <paramref name="record"/> (replacing an older decision for the same key; keeping at most
    /// <see cref="MaxRecords"/>). When another process stored a decision for this key meanwhile, that one
    /// stays and is returned in <paramref name="inEffect"/>, so concurrent processes agree — unless it is
    /// <paramref name="replacing"/>, the cached decision the caller found unusable (it names a provider that
    /// no longer exists), which is overwritten. False with a one-line <paramref name="problem"/> when the
    /// folder cannot be written (the decision still applies).
    /// </summary>
    public bool TryWrite(GemmCalibrationRecord record, out GemmCalibrationRecord inEffect, out string? problem, GemmCalibrationRecord? replacing = null)
    {
        inEffect = record;
        string temp = Path.Combine(Directory, $".{FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var existing = ReadAll();
            if (existing.FirstOrDefault(r => record.Key.Equals(r.Key)) is { } other
                && !(replacing is not null && other.MeasuredAt == replacing.MeasuredAt && other.Chosen == replacing.Chosen))
            {
                inEffect = other;
                problem = null;
                return true;
            }
            var file = new CacheFile(FileFormat, [record, .. existing.Where(r => !record.Key.Equals(r.Key)).Take(MaxRecords - 1)]);
            File.WriteAllText(temp, JsonSerializer.Serialize(file, Json));
            File.Move(temp, FilePath, overwrite: true);
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
