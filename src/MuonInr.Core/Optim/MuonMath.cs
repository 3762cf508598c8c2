namespace MuonInr.Optim;

/// <summary>Per-parameter state of a Muon-family step (spans into the optimizer's state buffers).</summary>
/// <param name="Momentum">M, the parameter's size.</param>
/// <param name="SecondMoment">The rule's second moment (<see cref="MuonRule.SecondMomentLength"/> floats; empty when none).</param>
/// <param name="PowerVector">Power-iteration vector for <see cref="MuonUpdateScale.PowerIterationSpectral"/>: cols + rows floats (the first cols persist; the rest is scratch); empty otherwise.</param>
public readonly ref struct MuonState(Span<float> Momentum, Span<float> SecondMoment, Span<float> PowerVector)
{
    /// <summary>M.</summary>
    public Span<float> Momentum { get; } = Momentum;
    /// <summary>Second moment.</summary>
    public Span<float> SecondMoment { get; } = SecondMoment;
    /// <summary>Power-iteration vector and scratch.</summary>
    public Span<float> PowerVector { get; } = PowerVector;
}

/// <summary>
/// Muon's update for one weight W (rows m = out, cols n = in), exactly as MUON.md / KellerJordan's muon.py:
/// M ← lerp(M, G, 1 − β); U = lerp(G, M, β) (Nesterov) or M; O = orth(U); O ← O·√max(1, m/n);
/// W ← W·(1 − lr·wd) − lr·O. Why: the orthogonalized step moves every singular direction of the
/// momentum by the same amount, so no direction (and no rank) is starved the way Adam's updates,
/// confined to the span of low-rank activations, starve them.
/// The family (<see cref="MuonRule"/>) changes single stages of this pipeline — momentum form, a
/// transform of U, the direction, an adaptive scaling, the update scale, the weight decay — and runs
/// through the same function, so a variant is a configuration, not a copy of the loop.
/// </summary>
public static class MuonMath
{
    /// <summary>
    /// One step of plain Muon. <paramref name="update"/> is scratch of the parameter's size (it receives U)
    /// and <paramref name="orthogonal"/> a second scratch buffer (the direction).
    /// </summary>
    public static void Step(Span<float> w, ReadOnlySpan<float> g, Span<float> momentum, Span<float> update, Span<float> orthogonal,
        int rows, int cols, double lr, double beta, bool nesterov, double weightDecay, IOrthogonalizer orthogonalizer)
        => Step(w, g, new MuonState(momentum, default, default), update, orthogonal, rows, cols, lr, beta, nesterov, weightDecay, orthogonalizer, MuonRule.Muon, 1);

    /// <summary>
    /// One step of the Muon-family member <paramref name="rule"/>; <paramref name="step"/> is the 1-based
    /// step count of this parameter (bias corrections of NAMO). Allocates nothing. The same three stages
    /// (<see cref="Prepare"/>, the orthogonalizer, <see cref="Finish"/>) run for a batch of same-shape
    /// matrices in <see cref="MuonWithAuxAdam"/>, with one batched orthogonalization between them.
    /// </summary>
    public static void Step(Span<float> w, ReadOnlySpan<float> g, MuonState state, Span<float> update, Span<float> orthogonal,
        int rows, int cols, double lr, double beta, bool nesterov, double weightDecay, IOrthogonalizer orthogonalizer, MuonRule rule, long step)
    {
        double gradNormSq = Prepare(w, g, state, update, orthogonal, rows, cols, beta, nesterov, rule);
        if (Orthogonalizes(rule)) orthogonalizer.Orthogonalize(update, rows, cols, orthogonal);
        Finish(w, g, state, update, orthogonal, rows, cols, lr, beta, weightDecay, rule, step, gradNormSq);
    }

    /// <summary>Whether <paramref name="rule"/>'s direction starts with orthogonalizing U (all but the cosh brake alone).</summary>
    public static bool Orthogonalizes(MuonRule rule) => rule.Direction != MuonDirection.CoshBrake;

    /// <summary>
    /// Stages 1–2 of a step: momentum → U (in <paramref name="update"/>), then the rule's transform of U;
    /// <paramref name="orthogonal"/> is scratch here. Checks every buffer's length. Returns ‖G‖² when the rule
    /// needs it (NAMO), else 0.
    /// </summary>
    public static double Prepare(ReadOnlySpan<float> w, ReadOnlySpan<float> g, MuonState state, Span<float> update, Span<float> orthogonal,
        int rows, int cols, double beta, bool nesterov, MuonRule rule)
    {
        int n = rows * cols;
        var momentum = state.Momentum;
        if (w.Length != n || g.Length != n || momentum.Length != n || update.Length != n || orthogonal.Length != n)
            throw new ArgumentException($"Muon buffers must all hold {rows}x{cols} = {n} values (W {w.Length}, G {g.Length}, M {momentum.Length}).");
        int secondLength = rule.SecondMomentLength(rows, cols);
        if (state.SecondMoment.Length != secondLength)
            throw new ArgumentException($"{rule.Name} keeps {secondLength} second-moment values for a {rows}x{cols} matrix, got {state.SecondMoment.Length}.");
        if (rule.Scale == MuonUpdateScale.PowerIterationSpectral && state.PowerVector.Length != rows + cols)
            throw new ArgumentException($"{rule.Name} needs a power-iteration vector of {rows + cols} values, got {state.PowerVector.Length}.");

        // 1. Momentum → U (in `update`). NAMO also needs ‖G‖ (raw gradient).
        double gradNormSq = 0;
        float fb = (float)beta;
        if (rule.Momentum == MomentumForm.Ema)
        {
            float oneMinusBeta = (float)(1 - beta);
            for (int i = 0; i < n; i++)
            {
                float mi = TorchLerp.Lerp(momentum[i], g[i], oneMinusBeta);
                momentum[i] = mi;
                update[i] = nesterov ? TorchLerp.Lerp(g[i], mi, fb) : mi;
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                float mi = fb * momentum[i] + g[i];
                momentum[i] = mi;
                update[i] = nesterov ? g[i] + fb * mi : mi;
            }
        }
        if (rule.Adaptivity == MuonAdaptivity.NormRatio)
            for (int i = 0; i < n; i++) gradNormSq += (double)g[i] * g[i];

        // 2. Transform of U.
        if (rule.Input == MuonInputTransform.Sign)
            for (int i = 0; i < n; i++) update[i] = MathF.Sign(update[i]);
        else if (rule.Input == MuonInputTransform.ClipQuantile)
        {
            float tau = AbsQuantile(update, rule.ClipQuantile, orthogonal);
            for (int i = 0; i < n; i++) update[i] = Math.Clamp(update[i], -tau, tau);
        }

        return gradNormSq;
    }

    /// <summary>
    /// Stages 3–6 after the orthogonalizer has written O = orth(U) into <paramref name="orthogonal"/> (when
    /// <see cref="Orthogonalizes"/>): the rest of the direction, adaptive scaling, update size, decay and
    /// the update of <paramref name="w"/>. <paramref name="gradNormSq"/> is what <see cref="Prepare"/> returned.
    /// </summary>
    public static void Finish(Span<float> w, ReadOnlySpan<float> g, MuonState state, Span<float> update, Span<float> orthogonal,
        int rows, int cols, double lr, double beta, double weightDecay, MuonRule rule, long step, double gradNormSq)
    {
        int n = rows * cols;
        // 3. Direction O (in `orthogonal`); `update` keeps U for NAMO's norms.
        switch (rule.Direction)
        {
            case MuonDirection.CoshBrake:
                update.CopyTo(orthogonal);
                CoshBrake(orthogonal, rule.CoshGamma);
                break;
            case MuonDirection.OrthogonalizeThenCoshBrake:
                CoshBrake(orthogonal, rule.CoshGamma);
                break;
        }

        // 4. Adaptive scaling of O.
        var second = state.SecondMoment;
        if (rule.Adaptivity == MuonAdaptivity.RowSecondMoment) NorMuonRows(orthogonal, second, rows, cols, rule.Beta2);
        else if (rule.Adaptivity == MuonAdaptivity.ElementSecondMoment)
        {
            float b2 = (float)rule.Beta2, ob2 = (float)(1 - rule.Beta2), eps = (float)rule.AdaptiveEps;
            for (int i = 0; i < n; i++)
            {
                float o = orthogonal[i];
                float v = b2 * second[i] + ob2 * (o * o);
                second[i] = v;
                orthogonal[i] = o / (MathF.Sqrt(v) + eps);
            }
        }

        // 5. Size of the update, then 6. decay and apply.
        if (rule.Adaptivity == MuonAdaptivity.NormRatio) { ApplyNamo(w, update, orthogonal, second, rows, cols, lr, beta, weightDecay, rule, step, gradNormSq); return; }
        if (rule.Adaptivity == MuonAdaptivity.ColumnNormRatio) { ApplyNamoD(w, g, update, orthogonal, second, rows, cols, lr, beta, weightDecay, rule, step); return; }

        float scale = rule.Scale switch
        {
            MuonUpdateScale.Original => (float)Math.Sqrt(Math.Max(1.0, (double)rows / cols)),
            MuonUpdateScale.MatchRmsAdamW => (float)(0.2 * Math.Sqrt(Math.Max(rows, cols))),
            MuonUpdateScale.SpectralNorm => (float)Math.Sqrt((double)rows / cols),
            MuonUpdateScale.Unit => 1f,
            MuonUpdateScale.RmsTarget => (float)(0.2 * Math.Sqrt((double)rows * cols) / (FrobeniusNorm(orthogonal) + rule.AdaptiveEps)),
            MuonUpdateScale.PowerIterationSpectral => (float)(Math.Sqrt((double)rows / cols) / Math.Max(PowerIteration(orthogonal, state.PowerVector, rows, cols), 1e-12)),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Scale, "unknown update scale"),
        };
        double decayFactor = rule.WeightDecay == MuonWeightDecay.Independent ? 1 - weightDecay / cols : 1 - lr * weightDecay;
        float decay = (float)decayFactor, stepSize = (float)lr;
        for (int i = 0; i < n; i++)
        {
            float wi = w[i];
            if (weightDecay != 0) wi *= decay;
            w[i] = wi - stepSize * (orthogonal[i] * scale);
        }
    }

    /// <summary>τ = the q-quantile of |x| with linear interpolation (torch.quantile's default); <paramref name="scratch"/> receives sorted |x|.</summary>
    internal static float AbsQuantile(ReadOnlySpan<float> x, double q, Span<float> scratch)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++) scratch[i] = MathF.Abs(x[i]);
        var s = scratch[..n];
        s.Sort();
        double pos = q * (n - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, n - 1);
        float frac = (float)(pos - lo);
        return s[lo] + frac * (s[hi] - s[lo]);
    }

    /// <summary>AuON's brake: x ← x / (√mean(cosh(γ·x/(‖x‖_F + 1e-7))²) + 1e-8); a zero x stays zero.</summary>
    internal static void CoshBrake(Span<float> x, double gamma)
    {
        double norm = FrobeniusNorm(x);
        if (norm == 0) return;
        float inv = (float)(gamma / (norm + 1e-7));
        double sum = 0;
        for (int i = 0; i < x.Length; i++) { double c = Math.Cosh(x[i] * inv); sum += c * c; }
        float r = (float)(Math.Sqrt(sum / x.Length) + 1e-8);
        for (int i = 0; i < x.Length; i++) x[i] /= r;
    }

    private static void NorMuonRows(Span<float> o, Span<float> v, int rows, int cols, double beta2)
    {
        double before = FrobeniusNorm(o);
        float w = (float)(1 - beta2);
        for (int r = 0; r < rows; r++)
        {
            var row = o.Slice(r * cols, cols);
            double ms = 0;
            for (int c = 0; c < cols; c++) ms += (double)row[c] * row[c];
            v[r] = TorchLerp.Lerp(v[r], (float)(ms / cols), w);
            float inv = 1f / (MathF.Sqrt(v[r]) + 1e-10f);
            for (int c = 0; c < cols; c++) row[c] *= inv;
        }
        float restore = (float)(before / (FrobeniusNorm(o) + 1e-10));
        for (int i = 0; i < o.Length; i++) o[i] *= restore;
    }

    /// <summary>NAMO: α = lr·√(1 − μ2ᵗ)/(1 − βᵗ + 1e-12)·‖U‖/√(v + ε), v the EMA (μ2) of ‖G‖²; W ← W·(1 − wd·min(α, 1)) − min(α·s, 1)·O, s the update scale.</summary>
    private static void ApplyNamo(Span<float> w, ReadOnlySpan<float> u, ReadOnlySpan<float> o, Span<float> v, int rows, int cols,
        double lr, double beta, double weightDecay, MuonRule rule, long step, double gradNormSq)
    {
        double mu2 = rule.Beta2;
        v[0] = (float)(mu2 * v[0] + (1 - mu2) * gradNormSq);
        double bc1 = 1 - Math.Pow(beta, step), bc2 = 1 - Math.Pow(mu2, step);
        double alpha = lr * Math.Sqrt(bc2) / (bc1 + 1e-12) * (FrobeniusNorm(u) / Math.Sqrt(v[0] + rule.AdaptiveEps));
        double stepSize = Math.Min(alpha * ShapeScale(rule.Scale, rows, cols), 1.0);
        float decay = (float)(1 - weightDecay * Math.Min(alpha, 1.0)), s = (float)stepSize;
        for (int i = 0; i < w.Length; i++) w[i] = w[i] * decay - s * o[i];
    }

    /// <summary>NAMO-D: the NAMO step size per column j from ‖U[:, j]‖ and the EMA of ‖G[:, j]‖², clamped to [c·mean, mean/c].</summary>
    private static void ApplyNamoD(Span<float> w, ReadOnlySpan<float> g, ReadOnlySpan<float> u, ReadOnlySpan<float> o, Span<float> v, int rows, int cols,
        double lr, double beta, double weightDecay, MuonRule rule, long step)
    {
        double mu2 = rule.Beta2;
        double bc1 = 1 - Math.Pow(beta, step), bc2 = 1 - Math.Pow(mu2, step);
        double baseLr = lr * Math.Sqrt(bc2) / (bc1 + 1e-12), shape = ShapeScale(rule.Scale, rows, cols);
        var colScale = v.Slice(cols, cols); // scratch half of the state
        double mean = 0;
        for (int j = 0; j < cols; j++)
        {
            double gs = 0, us = 0;
            for (int r = 0; r < rows; r++) { double gv = g[r * cols + j], uv = u[r * cols + j]; gs += gv * gv; us += uv * uv; }
            v[j] = (float)(mu2 * v[j] + (1 - mu2) * gs);
            colScale[j] = (float)(Math.Sqrt(us) / Math.Sqrt(v[j] + rule.AdaptiveEps));
            mean += colScale[j];
        }
        mean /= cols;
        double c = rule.ColumnClamp;
        if (c > 0 && c <= 1 && double.IsFinite(mean) && mean > 0)
            for (int j = 0; j < cols; j++) colScale[j] = (float)Math.Clamp(colScale[j], mean * c, mean / c);
        for (int j = 0; j < cols; j++)
        {
            float decay = (float)Math.Max(1 - weightDecay * Math.Min(colScale[j] * baseLr, 1.0), 0.0);
            float s = (float)Math.Min(colScale[j] * baseLr * shape, 1.0);
            for (int r = 0; r < rows; r++) { int i = r * cols + j; w[i] = w[i] * decay - s * o[i]; }
        }
    }

    private static double ShapeScale(MuonUpdateScale scale, int rows, int cols) => scale switch
    {
        MuonUpdateScale.MatchRmsAdamW => 0.2 * Math.Sqrt(Math.Max(rows, cols)),
        MuonUpdateScale.SpectralNorm => Math.Sqrt((double)rows / cols),
        _ => Math.Sqrt(Math.Max(1.0, (double)rows / cols)),
    };

    /// <summary>
    /// σ̂_max(O) from one power-iteration step with the persistent unit vector v (first cols entries of
    /// <paramref name="pv"/>; all zero on the first call → starts from 1/√n): x = O·v, σ̂ = ‖x‖, v ← Oᵀx/‖Oᵀx‖.
    /// The estimate tracks the top singular value as the updates drift, one matrix-vector pair per step.
    /// </summary>
    internal static double PowerIteration(ReadOnlySpan<float> o, Span<float> pv, int rows, int cols)
    {
        var v = pv[..cols];
        var x = pv.Slice(cols, rows);
        double vn = 0;
        for (int j = 0; j < cols; j++) vn += (double)v[j] * v[j];
        if (vn == 0) { float init = (float)(1 / Math.Sqrt(cols)); v.Fill(init); }
        double sigmaSq = 0;
        for (int r = 0; r < rows; r++)
        {
            double acc = 0;
            var row = o.Slice(r * cols, cols);
            for (int j = 0; j < cols; j++) acc += (double)row[j] * v[j];
            x[r] = (float)acc;
            sigmaSq += acc * acc;
        }
        double sigma = Math.Sqrt(sigmaSq);
        // v ← Oᵀx / ‖Oᵀx‖ (accumulated in place row by row, so no second scratch is needed).
        v.Clear();
        for (int r = 0; r < rows; r++)
        {
            float xr = x[r];
            var row = o.Slice(r * cols, cols);
            for (int j = 0; j < cols; j++) v[j] += row[j] * xr;
        }
        double norm = 0;
        for (int j = 0; j < cols; j++) norm += (double)v[j] * v[j];
        norm = Math.Sqrt(norm);
        if (norm > 0) { float inv = (float)(1 / norm); for (int j = 0; j < cols; j++) v[j] *= inv; }
        else v.Fill((float)(1 / Math.Sqrt(cols)));
        return sigma;
    }

    /// <summary>‖x‖_F accumulated in double.</summary>
    internal static double FrobeniusNorm(ReadOnlySpan<float> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * x[i];
        return Math.Sqrt(s);
    }
}
