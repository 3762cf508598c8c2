namespace MuonInr.Tests.TestSupport;

/// <summary>Locates ../shared/data (beside the repository) by walking up from the test assembly.</summary>
public static class SharedData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate) && System.IO.File.Exists(Path.Combine(candidate, "MANIFEST.md"))) return candidate;
        }
        return null;
    });

    /// <summary>The data folder, or null when absent.</summary>
    public static string? Directory_ => Root.Value;

    /// <summary>Full path of a file under shared/data (only valid when present).</summary>
    public static string File(string relative) => Path.Combine(Root.Value ?? throw new InvalidOperationException("shared/data is absent"), relative);
}

/// <summary>A fact skipped, with a clear reason, when ../shared/data is not beside the repository.</summary>
public sealed class RequiresSharedDataFactAttribute : FactAttribute
{
    public RequiresSharedDataFactAttribute()
    {
        if (SharedData.Directory_ is null)
            Skip = "../shared/data is absent (it holds the real Kodak/CT/audio files); this test needs it.";
    }
}

/// <summary>Path of a committed fixture.</summary>
public static class Fixtures
{
    public static string Path_(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);
}
