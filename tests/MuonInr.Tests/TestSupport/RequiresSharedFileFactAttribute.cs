namespace MuonInr.Tests.TestSupport;

/// <summary>A fact skipped, with the reason, when one of the named files under ../shared/data is absent.</summary>
public sealed class RequiresSharedFileFactAttribute : FactAttribute
{
    public RequiresSharedFileFactAttribute(params string[] relative)
    {
        if (SharedData.Directory_ is not { } root)
            Skip = "../shared/data is absent (it holds the real Kodak/CT/audio/mesh files); this test needs it.";
        else if (relative.FirstOrDefault(r => !System.IO.File.Exists(Path.Combine(root, r))) is { } missing)
            Skip = $"../shared/data/{missing} is absent; this test needs it.";
    }
}
