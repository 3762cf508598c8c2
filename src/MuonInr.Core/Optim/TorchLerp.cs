using System.Runtime.CompilerServices;

namespace MuonInr.Optim;

/// <summary>
/// <c>torch.lerp</c> exactly as PyTorch's CPU kernel rounds it: for weight &lt; 0.5,
/// a + w·(b − a); otherwise b − (b − a)·(1 − w). Using the same branch keeps optimizer
/// trajectories bit-compatible with the references built on it (Muon's momentum and Nesterov lerps).
/// </summary>
public static class TorchLerp
{
    /// <summary>lerp(a, b, w) with PyTorch's rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Lerp(float a, float b, float w)
    {
        float diff = b - a;
        return MathF.Abs(w) < 0.5f ? a + w * diff : b - diff * (1f - w);
    }

    /// <summary>a ← lerp(a, b, w) elementwise.</summary>
    public static void InPlace(Span<float> a, ReadOnlySpan<float> b, float w)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lerp needs equal lengths, got {a.Length} and {b.Length}.");
        for (int i = 0; i < a.Length; i++) a[i] = Lerp(a[i], b[i], w);
    }
}
