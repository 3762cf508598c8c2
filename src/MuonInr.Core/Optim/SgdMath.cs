namespace MuonInr.Optim;

/// <summary>
/// SGD with momentum, dampening, Nesterov and L2 weight decay as <c>torch.optim.SGD</c>:
/// d = g + wd·p; buf = d on the first step, else buf ← μ·buf + (1 − dampening)·d;
/// d ← d + μ·buf (Nesterov) or d ← buf; p ← p − lr·d.
/// </summary>
public static class SgdMath
{
    /// <summary>One step; <paramref name="buffer"/> is ignored when momentum is 0. <paramref name="firstStep"/> initialises it.</summary>
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> buffer, bool firstStep,
        double lr, double momentum, double dampening, bool nesterov, double weightDecay)
    {
        if (g.Length != p.Length || (momentum != 0 && buffer.Length != p.Length))
            throw new ArgumentException($"SGD buffers differ in length: param {p.Length}, grad {g.Length}, momentum {buffer.Length}.");
        float mu = (float)momentum, damp = (float)(1 - dampening), wd = (float)weightDecay, flr = (float)lr;
        for (int i = 0; i < p.Length; i++)
        {
            float d = g[i];
            if (wd != 0f) d += wd * p[i];
            if (mu != 0f)
            {
                float b = firstStep ? d : buffer[i] * mu + d * damp;
                buffer[i] = b;
                d = nesterov ? d + mu * b : b;
            }
            p[i] -= flr * d;
        }
    }
}
