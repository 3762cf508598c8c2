using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MuonInr.Optim;

/// <summary>
/// Adam's update as one fused pass over parameter memory (no temporaries), in two flavours that differ in
/// float rounding only: PyTorch's <c>torch.optim.Adam/AdamW</c> (m ← β1·m + (1−β1)·g) and the auxiliary
/// Adam of the Muon reference (m ← lerp(m, g, 1−β1)), so each matches its reference to the last bits.
/// </summary>
public static class AdamMath
{
    /// <summary>
    /// PyTorch Adam/AdamW step <paramref name="step"/> (1-based):
    /// g ← g + wd·p (Adam, L2) or p ← p·(1 − lr·wd) (AdamW, decoupled); m ← β1 m + (1−β1) g;
    /// v ← β2 v + (1−β2) g²; p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
    /// </summary>
    public static void TorchStep(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, long step,
        double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
    {
        CheckLengths(p, g, m, v);
        double bc1 = 1 - Math.Pow(beta1, step), bc2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        float stepSize = (float)(lr / bc1), invBc2 = (float)(1 / bc2Sqrt), fe = (float)eps;
        float b1 = (float)beta1, b2 = (float)beta2, ob1 = (float)(1 - beta1), ob2 = (float)(1 - beta2);
        float l2 = decoupled ? 0f : (float)weightDecay, decay = decoupled ? (float)(1 - lr * weightDecay) : 1f;
        ref float rp = ref MemoryMarshal.GetReference(p);
        ref float rg = ref MemoryMarshal.GetReference(g);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        int i = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(b1); var vb2 = new Vector<float>(b2); var vob1 = new Vector<float>(ob1); var vob2 = new Vector<float>(ob2);
            var vl2 = new Vector<float>(l2); var vdecay = new Vector<float>(decay); var vstep = new Vector<float>(stepSize);
            var vinv = new Vector<float>(invBc2); var veps = new Vector<float>(fe);
            for (; i <= p.Length - w; i += w)
            {
                var pv = Vector.LoadUnsafe(ref rp, (nuint)i);
                var gv = Vector.LoadUnsafe(ref rg, (nuint)i);
                if (l2 != 0f) gv += vl2 * pv;
                if (decay != 1f) pv *= vdecay;
                var mv = Vector.LoadUnsafe(ref rm, (nuint)i) * vb1 + gv * vob1;
                var vv = Vector.LoadUnsafe(ref rv, (nuint)i) * vb2 + gv * gv * vob2;
                var denom = Vector.SquareRoot(vv) * vinv + veps;
                pv -= vstep * (mv / denom);
                mv.StoreUnsafe(ref rm, (nuint)i);
                vv.StoreUnsafe(ref rv, (nuint)i);
                pv.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < p.Length; i++)
        {
            float pi = Unsafe.Add(ref rp, i), gi = Unsafe.Add(ref rg, i);
            if (l2 != 0f) gi += l2 * pi;
            if (decay != 1f) pi *= decay;
            float mi = Unsafe.Add(ref rm, i) * b1 + gi * ob1;
            float vi = Unsafe.Add(ref rv, i) * b2 + gi * gi * ob2;
            pi -= stepSize * (mi / (MathF.Sqrt(vi) * invBc2 + fe));
            Unsafe.Add(ref rm, i) = mi; Unsafe.Add(ref rv, i) = vi; Unsafe.Add(ref rp, i) = pi;
        }
    }

    /// <summary>
    /// The Muon reference's auxiliary Adam (MUON.md): m ← lerp(m, g, 1−β1); v ← lerp(v, g², 1−β2);
    /// u = (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + eps); p ← p·(1 − lr·wd) − lr·u.
    /// </summary>
    public static void LerpStep(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, long step,
        double lr, double beta1, double beta2, double eps, double weightDecay)
    {
        CheckLengths(p, g, m, v);
        float bc1 = (float)(1 - Math.Pow(beta1, step)), bc2 = (float)(1 - Math.Pow(beta2, step));
        float t1 = (float)(1 - beta1), t2 = (float)(1 - beta2), fe = (float)eps, flr = (float)lr;
        float decay = (float)(1 - lr * weightDecay);
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i];
            float mi = TorchLerp.Lerp(m[i], gi, t1);
            float vi = TorchLerp.Lerp(v[i], gi * gi, t2);
            float u = (mi / bc1) / (MathF.Sqrt(vi / bc2) + fe);
            float pi = p[i];
            if (weightDecay != 0) pi *= decay;
            p[i] = pi - flr * u;
            m[i] = mi; v[i] = vi;
        }
    }

    private static void CheckLengths(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
    {
        if (g.Length != p.Length || m.Length != p.Length || v.Length != p.Length)
            throw new ArgumentException($"Adam buffers differ in length: param {p.Length}, grad {g.Length}, m {m.Length}, v {v.Length}.");
    }
}
