using System.Globalization;
using System.Text;
using System.Text.Json;
using MuonInr.Experiments;

namespace MuonInr.Reports;

/// <summary>
/// A run directory (ARCHITECTURE decision 12): config.json, metrics.csv, ranks.csv, summary.json, images
/// and report.html. It never replaces what a user already has: an existing non-empty directory is
/// refused unless overwriting was asked for, and every file is written through a temporary name.
/// </summary>
public sealed class RunDirectory
{
    /// <summary>JSON options used for every file of the run (indented, snake_case names).</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private RunDirectory(string path) => Path = path;

    /// <summary>Absolute path of the directory.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates (or, with <paramref name="overwrite"/>, reuses) the directory. Throws
    /// <see cref="IOException"/> with a clear message when it exists, is not empty and overwriting was not asked for.
    /// </summary>
    public static RunDirectory Create(string path, bool overwrite = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (System.IO.File.Exists(full))
            throw new IOException($"Output path '{path}' is an existing file, not a directory.");
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !overwrite)
            throw new IOException($"Output directory '{path}' already exists and is not empty; choose another --out or pass --overwrite.");
        Directory.CreateDirectory(full);
        return new RunDirectory(full);
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
        string tmp = target + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write)) fs.Write(bytes);
        System.IO.File.Move(tmp, target, overwrite: true);
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public void WriteText(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes an object as JSON.</summary>
    public void WriteJson<T>(string name, T value) => WriteText(name, JsonSerializer.Serialize(value, Json) + "\n");

    /// <summary>metrics.csv: step, loss, psnr (audio: snr), lr, elapsed seconds.</summary>
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
}
