using MuonInr.Kernels;

namespace MuonInr.Core.Tests.TestSupport;

/// <summary>A theory that is skipped, with the reason, when no native BLAS library can be loaded.</summary>
public sealed class NativeBlasTheoryAttribute : TheoryAttribute
{
    public NativeBlasTheoryAttribute()
    {
        if (GemmProviders.TryNative() is null)
            Skip = "No native BLAS found: " + GemmProviders.NativeUnavailableReason;
    }
}

/// <summary>A fact that is skipped, with the reason, when no native BLAS library can be loaded.</summary>
public sealed class NativeBlasFactAttribute : FactAttribute
{
    public NativeBlasFactAttribute()
    {
        if (GemmProviders.TryNative() is null)
            Skip = "No native BLAS found: " + GemmProviders.NativeUnavailableReason;
    }
}
