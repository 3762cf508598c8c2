using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MuonInr.Experiments;

/// <summary>
/// A run directory as a transaction (ARCHITECTURE decisions 12 and 17). It is opened only after every
/// input was validated, exclusively: a lock file held open with an OS lock for the life of the run, so two
/// runs given the same path can never write into one (the second fails at once with a clear message, and
/// a lock left by a killed process is released by the OS). A directory that exists and holds anything is
/// refused unless overwriting was asked for, and then its old contents are removed first (no stale
/// checkpoint survives). <see cref="Abandon"/> removes what this run created and nothing else. Every
/// file is written through a temporary name and a rename.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    /// <summary>Name of the lock file inside a run directory.</summary>
    public const string LockName = ".muoninr.lock";

    /// <summary>JSON options used for every file of the run (indented, snake_case names, nulls omitted).</summary>
    public static JsonSerializerOptions Json => RunSpecJson.Options;

    private readonly FileStream _lock;
    private readonly bool _created;
    private bool _disposed;

    private RunDirectory(string path, FileStream lockStream, bool created) { Path = path; _lock = lockStream; _created = created; }

    /// <summary>Absolute path of the directory.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for a new run: creates it (parents included) or, when it exists, takes
    /// its lock and requires it to be empty (or, with <paramref name="overwrite"/>, empties it). Throws
    /// <see cref="IOException"/> with one line when it is a file, is locked by another run, or is not empty.
    /// </summary>
    public static RunDirectory Open(string path, bool overwrite = false)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("The output directory must be a non-empty path.");
        string full;
        try { full = System.IO.Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"'{path}' is not a usable directory path ({e.Message.TrimEnd('.')}).");
        }
        if (System.IO.File.Exists(full)) throw new IOException($"Output path '{path}' is an existing file, not a directory.");
        bool created = !Directory.Exists(full);
        Directory.CreateDirectory(full);
        FileStream lk;
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock on Unix): a second opener fails at once,
            // and the lock dies with the process.
            lk = new FileStream(System.IO.Path.Combine(full, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new IOException($"Output directory '{path}' is in use by another MuonInr run; choose another --out.");
        }
        try
        {
            var others = Directory.EnumerateFileSystemEntries(full).Where(e => System.IO.Path.GetFileName(e) != LockName).ToList();
            if (others.Count > 0)
            {
                if (!overwrite)
                    throw new IOException($"Output directory '{path}' already exists and is not empty; choose another --out or pass --overwrite.");
                foreach (var e in others)
                {
                    if (Directory.Exists(e)) Directory.Delete(e, recursive: true);
                    else System.IO.File.Delete(e);
                }
            }
            var stamp = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId} since {DateTime.UtcNow:O}\n"));
            lk.SetLength(0); lk.Write(stamp); lk.Flush();
        }
        catch
        {
            // We hold the lock: remove the lock file before releasing it, so a refused run leaves nothing behind
            // in a directory it did not create (deleted while held, nobody else can have taken it).
            try { System.IO.File.Delete(System.IO.Path.Combine(full, LockName)); } catch (IOException) { }
            lk.Dispose();
            if (created) TryDelete(full);
            throw;
        }
        return new RunDirectory(full, lk, created);
    }

    /// <summary>A fresh default directory under <paramref name="root"/>: yyyyMMdd-HHmmss-label, suffixed if taken.</summary>
    public static string DefaultPath(string root, string label)
    {
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string basePath = System.IO.Path.Combine(root, $"{stamp}-{label}");
        string p = basePath;
        for (int i = 2; Directory.Exists(p); i++) p = $"{basePath}-{i}";
        return p;
    }

    /// <summary>Full path of a file in the run.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes bytes atomically (temporary file, then rename).</summary>
    public void WriteBytes(string name, ReadOnlySpan<byte> bytes)
    {
        string target = File(name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        string tmp = target + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write)) fs.Write(bytes);
        System.IO.File.Move(tmp, target, overwrite: true);
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public void WriteText(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes an object as JSON.</summary>
    public void WriteJson<T>(string name, T value) => WriteText(name, JsonSerializer.Serialize(value, Json) + "\n");

    /// <summary>metrics.csv: step, loss, the task's quality metric, lr, elapsed seconds.</summary>
    public void WriteMetrics(TrainingHistory history, string name = "metrics.csv")
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder($"step,loss,{history.MetricName},learning_rate,elapsed_seconds\n");
        foreach (var m in history.Metrics)
            sb.Append(ci, $"{m.Step},{m.Loss:R},{m.Psnr:R},{m.LearningRate:R},{m.ElapsedSeconds:R}\n");
        WriteText(name, sb.ToString());
    }

    /// <summary>ranks.csv: step, layer, name, stable rank, effective rank, spectral norm, condition number.</summary>
    public void WriteRanks(TrainingHistory history, string name = "ranks.csv")
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("step,layer,name,stable_rank,effective_rank,spectral_norm,condition_number\n");
        foreach (var r in history.Ranks)
            sb.Append(ci, $"{r.Step},{r.Layer},{r.Name},{r.StableRank:R},{r.EffectiveRank:R},{r.SpectralNorm:R},{r.ConditionNumber:R}\n");
        WriteText(name, sb.ToString());
    }

    /// <summary>
    /// The run failed before producing a result: removes the directory if this run created it, otherwise
    /// the files this run wrote into it (it was empty, or emptied by --overwrite, when the run took it).
    /// </summary>
    public void Abandon()
    {
        Dispose();
        if (_created) TryDelete(Path);
        else
            foreach (var e in Directory.EnumerateFileSystemEntries(Path))
            {
                try { if (Directory.Exists(e)) Directory.Delete(e, true); else System.IO.File.Delete(e); }
                catch (IOException) { }
            }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Releases the lock (the run is finished); the lock file is removed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { System.IO.File.Delete(File(LockName)); } catch (IOException) { }
        _lock.Dispose();
    }
}
