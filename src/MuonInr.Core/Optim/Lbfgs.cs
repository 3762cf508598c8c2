using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>
/// L-BFGS with PyTorch's <c>torch.optim.LBFGS</c> semantics (one parameter group, flat view of all
/// parameters, two-loop recursion with γ = sᵀy / yᵀy, optional strong-Wolfe line search with cubic
/// interpolation): each <see cref="Step(Func{double})"/> runs up to <see cref="MaxIter"/> iterations,
/// re-evaluating the model through the closure. Defaults: lr 1, max_iter 20, max_eval 1.25·max_iter,
/// tolerance_grad 1e-7, tolerance_change 1e-9, history 100, no line search. Vectors are float32 like
/// PyTorch's; dot products accumulate in double.
/// </summary>
public sealed class Lbfgs : Optimizer
{
    private readonly Parameter[] _params;
    private readonly int _n;
    private float[]? _d, _prevFlatGrad;
    private double _t, _prevLoss;
    private double _hDiag = 1;
    private readonly List<float[]> _oldDirs = [], _oldStps = [];
    private readonly List<double> _ro = [];
    private long _nIter;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public Lbfgs(IEnumerable<Parameter> parameters, double lr = 1, int maxIter = 20, int? maxEval = null, double toleranceGrad = 1e-7,
        double toleranceChange = 1e-9, int historySize = 100, bool strongWolfe = false)
    {
        if (maxIter < 1) throw new ArgumentException($"max_iter must be ≥ 1, got {maxIter}.");
        if (historySize < 1) throw new ArgumentException($"history size must be ≥ 1, got {historySize}.");
        AddParamGroup(new ParamGroup(parameters, lr) { Name = "lbfgs" });
        _params = ParamGroups[0].Parameters.ToArray();
        _n = _params.Sum(p => p.Length);
        MaxIter = maxIter; MaxEval = maxEval ?? maxIter * 5 / 4; ToleranceGrad = toleranceGrad; ToleranceChange = toleranceChange;
        HistorySize = historySize; StrongWolfe = strongWolfe;
    }

    /// <summary>Iterations per step.</summary>
    public int MaxIter { get; }
    /// <summary>Function evaluations per step.</summary>
    public int MaxEval { get; }
    /// <summary>Stop when max |g| falls below this.</summary>
    public double ToleranceGrad { get; }
    /// <summary>Stop when the step or the loss change falls below this.</summary>
    public double ToleranceChange { get; }
    /// <summary>Curvature pairs kept.</summary>
    public int HistorySize { get; }
    /// <summary>Use the strong-Wolfe line search.</summary>
    public bool StrongWolfe { get; }
    /// <summary>Closure evaluations so far (PyTorch's func_evals).</summary>
    public long FunctionEvaluations { get; private set; }

    /// <summary>L-BFGS re-evaluates the model: use <see cref="Step(Func{double})"/>.</summary>
    public override void Step() => throw new InvalidOperationException("L-BFGS needs a closure that zeroes the gradients, computes the loss, calls Backward() and returns the loss: call Step(closure).");

    /// <summary>
    /// One optimizer step. <paramref name="closure"/> must zero the gradients, compute the loss, call
    /// Backward() and return the loss. Returns the loss of the first evaluation.
    /// </summary>
    public double Step(Func<double> closure)
    {
        double lr = ParamGroups[0].LearningRate;
        double origLoss = closure(), loss = origLoss;
        int currentEvals = 1; FunctionEvaluations++;
        var flatGrad = GatherFlatGrad();
        if (MaxAbs(flatGrad) <= ToleranceGrad) { StepCount++; return origLoss; }
        int nIter = 0;
        while (nIter < MaxIter)
        {
            nIter++; _nIter++;
            if (_nIter == 1)
            {
                _d = new float[_n];
                for (int i = 0; i < _n; i++) _d[i] = -flatGrad[i];
                _oldDirs.Clear(); _oldStps.Clear(); _ro.Clear(); _hDiag = 1;
            }
            else
            {
                var y = new float[_n]; var s = new float[_n];
                for (int i = 0; i < _n; i++) { y[i] = flatGrad[i] - _prevFlatGrad![i]; s[i] = (float)(_d![i] * _t); }
                double ys = Dot(y, s);
                if (ys > 1e-10)
                {
                    if (_oldDirs.Count == HistorySize) { _oldDirs.RemoveAt(0); _oldStps.RemoveAt(0); _ro.RemoveAt(0); }
                    _oldDirs.Add(y); _oldStps.Add(s); _ro.Add(1.0 / ys);
                    _hDiag = ys / Dot(y, y);
                }
                int numOld = _oldDirs.Count;
                var al = new double[numOld];
                var q = new float[_n];
                for (int i = 0; i < _n; i++) q[i] = -flatGrad[i];
                for (int i = numOld - 1; i >= 0; i--)
                {
                    al[i] = Dot(_oldStps[i], q) * _ro[i];
                    Axpy(q, _oldDirs[i], -al[i]);
                }
                for (int i = 0; i < _n; i++) q[i] = (float)(q[i] * _hDiag);
                for (int i = 0; i < numOld; i++)
                {
                    double be = Dot(_oldDirs[i], q) * _ro[i];
                    Axpy(q, _oldStps[i], al[i] - be);
                }
                _d = q;
            }
            _prevFlatGrad = (float[])flatGrad.Clone();
            _prevLoss = loss;
            _t = _nIter == 1 ? Math.Min(1.0, 1.0 / SumAbs(flatGrad)) * lr : lr;
            double gtd = Dot(flatGrad, _d!);
            if (gtd > -ToleranceChange) break;
            int lsEvals;
            bool optCond = false;
            if (StrongWolfe)
            {
                var xInit = CloneParams();
                (loss, flatGrad, _t, lsEvals) = StrongWolfeSearch(closure, xInit, _t, _d!, loss, flatGrad, gtd);
                AddGrad(_t, _d!);
                optCond = MaxAbs(flatGrad) <= ToleranceGrad;
            }
            else
            {
                AddGrad(_t, _d!);
                lsEvals = 0;
                if (nIter != MaxIter)
                {
                    loss = closure();
                    flatGrad = GatherFlatGrad();
                    optCond = MaxAbs(flatGrad) <= ToleranceGrad;
                    lsEvals = 1;
                }
            }
            currentEvals += lsEvals; FunctionEvaluations += lsEvals;
            if (nIter == MaxIter || currentEvals >= MaxEval || optCond) break;
            double maxStep = 0;
            foreach (float v in _d!) maxStep = Math.Max(maxStep, Math.Abs(v * _t));
            if (maxStep <= ToleranceChange) break;
            if (Math.Abs(loss - _prevLoss) < ToleranceChange) break;
        }
        StepCount++;
        return origLoss;
    }

    private (double F, float[] G, double T, int Evals) StrongWolfeSearch(Func<double> closure, float[] x, double t, float[] d, double f, float[] g, double gtd,
        double c1 = 1e-4, double c2 = 0.9, int maxLs = 25)
    {
        double dNorm = MaxAbs(d);
        g = (float[])g.Clone();
        var (fNew, gNew) = Directional(closure, x, t, d);
        int evals = 1;
        double gtdNew = Dot(gNew, d);
        double tPrev = 0, fPrev = f, gtdPrev = gtd;
        float[] gPrev = g;
        bool done = false;
        int lsIter = 0;
        double[] bracket = [], bracketF = [], bracketGtd = [];
        float[][] bracketG = [];
        while (lsIter < maxLs)
        {
            if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev))
            {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, (float[])gNew.Clone()]; bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            if (Math.Abs(gtdNew) <= -c2 * gtd)
            {
                bracket = [t]; bracketF = [fNew]; bracketG = [gNew]; done = true;
                break;
            }
            if (gtdNew >= 0)
            {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, (float[])gNew.Clone()]; bracketGtd = [gtdPrev, gtdNew];
                break;
            }
            double minStep = t + 0.01 * (t - tPrev), maxStep = t * 10, tmp = t;
            t = CubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp; fPrev = fNew; gPrev = (float[])gNew.Clone(); gtdPrev = gtdNew;
            (fNew, gNew) = Directional(closure, x, t, d); evals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs)
        {
            bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]; bracketGtd = [gtd, gtdNew];
        }
        bool insufProgress = false;
        int lowPos = bracketF[0] <= bracketF[^1] ? 0 : 1, highPos = 1 - lowPos;
        if (bracket.Length == 1) lowPos = 0;
        while (!done && lsIter < maxLs)
        {
            if (Math.Abs(bracket[1] - bracket[0]) * dNorm < ToleranceChange) break;
            t = CubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1], null, null);
            double hi = Math.Max(bracket[0], bracket[1]), lo = Math.Min(bracket[0], bracket[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.Min(hi - t, t - lo) < eps)
            {
                if (insufProgress || t >= hi || t <= lo)
                {
                    t = Math.Abs(t - hi) < Math.Abs(t - lo) ? hi - eps : lo + eps;
                    insufProgress = false;
                }
                else insufProgress = true;
            }
            else insufProgress = false;
            (fNew, gNew) = Directional(closure, x, t, d); evals++;
            gtdNew = Dot(gNew, d);
            lsIter++;
            if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos])
            {
                bracket[highPos] = t; bracketF[highPos] = fNew; bracketG[highPos] = (float[])gNew.Clone(); bracketGtd[highPos] = gtdNew;
                (lowPos, highPos) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -c2 * gtd) done = true;
                else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0)
                {
                    bracket[highPos] = bracket[lowPos]; bracketF[highPos] = bracketF[lowPos]; bracketG[highPos] = bracketG[lowPos]; bracketGtd[highPos] = bracketGtd[lowPos];
                }
                bracket[lowPos] = t; bracketF[lowPos] = fNew; bracketG[lowPos] = (float[])gNew.Clone(); bracketGtd[lowPos] = gtdNew;
            }
        }
        return (bracketF[lowPos], bracketG[lowPos], bracket[lowPos], evals);
    }

    // Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to the bounds (PyTorch's _cubic_interpolate).
    private static double CubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double? lower, double? upper)
    {
        double lo = lower ?? Math.Min(x1, x2), hi = upper ?? Math.Max(x1, x2);
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (d2Square >= 0)
        {
            double d2 = Math.Sqrt(d2Square);
            double minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.Min(Math.Max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }

    private (double, float[]) Directional(Func<double> closure, float[] x, double t, float[] d)
    {
        AddGrad(t, d);
        double loss = closure();
        var g = GatherFlatGrad();
        SetParams(x);
        return (loss, g);
    }

    private float[] GatherFlatGrad()
    {
        var g = new float[_n];
        int o = 0;
        foreach (var p in _params)
        {
            if (p.Grad is { } gr) gr.Span.CopyTo(g.AsSpan(o, p.Length));
            o += p.Length;
        }
        return g;
    }

    private void AddGrad(double t, float[] d)
    {
        int o = 0;
        float ft = (float)t;
        foreach (var p in _params)
        {
            var s = p.Span;
            for (int i = 0; i < s.Length; i++) s[i] += ft * d[o + i];
            o += p.Length;
        }
    }

    private float[] CloneParams()
    {
        var x = new float[_n]; int o = 0;
        foreach (var p in _params) { p.Span.CopyTo(x.AsSpan(o, p.Length)); o += p.Length; }
        return x;
    }

    private void SetParams(float[] x)
    {
        int o = 0;
        foreach (var p in _params) { x.AsSpan(o, p.Length).CopyTo(p.Span); o += p.Length; }
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    private static void Axpy(float[] y, float[] x, double alpha)
    {
        float a = (float)alpha;
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    private static double MaxAbs(float[] a) { double m = 0; foreach (float v in a) m = Math.Max(m, Math.Abs(v)); return m; }

    private static double SumAbs(float[] a) { double m = 0; foreach (float v in a) m += Math.Abs(v); return m; }
}
