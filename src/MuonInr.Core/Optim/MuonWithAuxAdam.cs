using MuonInr.Nn;

namespace MuonInr.Optim;

/// <summary>
/// Muon for the groups flagged <see cref="ParamGroup.UseMuon"/> (2-D hidden weights) and the reference's
/// auxiliary Adam for every other group (MUON.md): one optimizer, one step. Muon defaults: lr 0.02,
/// momentum 0.95, Nesterov, NS5 with 5 steps, wd 0. Auxiliary Adam defaults: lr 3e-4, betas (0.9, 0.95),
/// eps 1e-10, wd 0; <see cref="ForInr"/> builds the INR paper's configuration (aux betas (0.9, 0.999)).
/// A Muon parameter with more than two dimensions is treated as (shape[0], rest): MuonInr's
/// <see cref="Conv2d"/> filters (Cout, kh, kw, Cin) → [Cout, kh·kw·Cin], PyTorch's [out, in, kh, kw] →
/// [out, in·kh·kw]; the two differ by a column permutation, which orthogonalization commutes with. <see cref="Rule"/> selects the member of the Muon family
/// (NorMuon, AdaMuon, NAMO, …) applied to the Muon groups; the auxiliary Adam is the same for all.
/// </summary>
public sealed class MuonWithAuxAdam : Optimizer
{
    private float[] _update = [], _orthogonal = [];
    private bool[] _done = [];
    private int[] _batch = [];
    private double[] _gradNormSq = [];
    private RootNewtonSchulz? _root;

    /// <summary>Creates the optimizer; add groups with <see cref="AddMuonGroup"/> and <see cref="AddAdamGroup"/>.</summary>
    public MuonWithAuxAdam(IOrthogonalizer? orthogonalizer = null, MuonRule? rule = null)
    {
        Orthogonalizer = orthogonalizer ?? NewtonSchulz.NewtonSchulz5();
        Rule = rule ?? MuonRule.Muon;
    }

    /// <summary>The orthogonalization strategy (NS5 by default).</summary>
    public IOrthogonalizer Orthogonalizer { get; set; }

    /// <summary>The member of the Muon family applied to the Muon groups (<see cref="MuonRule.Muon"/> by default).</summary>
    public MuonRule Rule { get; set; }

    /// <summary>Adds a Muon group (every parameter must have at least 2 dimensions).</summary>
    public ParamGroup AddMuonGroup(IEnumerable<Parameter> parameters, double lr = 0.02, double momentum = 0.95, bool nesterov = true, double weightDecay = 0)
    {
        var list = parameters.ToList();
        foreach (var p in list)
            if (p.Rank < 2) throw new ArgumentException($"Muon orthogonalizes matrices; parameter '{p.Name}' has shape {MuonInr.Tensors.Tensor.ShapeString(p.Shape)} ({p.Rank}-D): add it to the auxiliary Adam group (AddAdamGroup) instead.");
        var g = new ParamGroup(list, lr) { Name = "muon", UseMuon = true, Momentum = momentum, Nesterov = nesterov, WeightDecay = weightDecay };
        AddParamGroup(g);
        return g;
    }

    /// <summary>Adds an auxiliary-Adam group.</summary>
    public ParamGroup AddAdamGroup(IEnumerable<Parameter> parameters, double lr = 3e-4, double beta1 = 0.9, double beta2 = 0.95, double eps = 1e-10, double weightDecay = 0)
    {
        var g = new ParamGroup(parameters, lr) { Name = "adam", UseMuon = false, Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay };
        AddParamGroup(g);
        return g;
    }

    /// <summary>
    /// The INR paper's setup for <paramref name="model"/>: <see cref="ParamRouting"/> splits it (hidden
    /// matrices → Muon at <paramref name="muonLr"/>, the rest → Adam at <paramref name="adamLr"/> with betas
    /// (0.9, 0.999), eps 1e-10). The learning rates have no defaults here: they depend on the task and the
    /// architecture (MuonInr's presets table holds them).
    /// </summary>
    public static MuonWithAuxAdam ForInr(Module model, double muonLr, double adamLr, ParamRouting? routing = null,
        IOrthogonalizer? orthogonalizer = null, double adamEps = 1e-10, MuonRule? rule = null)
    {
        var split = (routing ?? ParamRouting.Paper()).Split(model);
        var opt = new MuonWithAuxAdam(orthogonalizer, rule);
        if (split.Muon.Count > 0) opt.AddMuonGroup(split.Muon.Select(p => p.Parameter), lr: muonLr);
        if (split.Adam.Count > 0) opt.AddAdamGroup(split.Adam.Select(p => p.Parameter), lr: adamLr, beta1: 0.9, beta2: 0.999, eps: adamEps);
        return opt;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The Muon parameters of a group that share a matrix shape (an INR's hidden layers) are orthogonalized
    /// together in one batched pass (<see cref="IOrthogonalizer.OrthogonalizeBatch"/>); every parameter's
    /// update is the same as stepping it alone.
    /// </remarks>
    public override void Step()
    {
        foreach (var g in ParamGroups)
        {
            if (!g.UseMuon)
            {
                foreach (var p in g.Parameters)
                {
                    if (p.Grad is null) continue;
                    var s = State(p);
                    s.Step++;
                    AdamMath.LerpStep(p.Span, p.Grad.Span, s.Buffer("exp_avg", p.Length), s.Buffer("exp_avg_sq", p.Length), s.Step,
                        g.LearningRate, g.Beta1, g.Beta2, g.Eps, g.WeightDecay);
                }
                continue;
            }
            var orthogonalizer = Rule.SizeSpecificNewtonSchulz ? _root ??= new RootNewtonSchulz() : Orthogonalizer;
            var ps = g.Parameters;
            if (_done.Length < ps.Count) _done = new bool[ps.Count];
            Array.Clear(_done, 0, ps.Count);
            for (int first = 0; first < ps.Count; first++)
            {
                if (_done[first] || ps[first].Grad is null) continue;
                // The batch: this parameter and every later one of the same matrix shape.
                int rows = ps[first].Dim(0), cols = ps[first].Length / Math.Max(1, rows), n = rows * cols;
                int count = 0;
                for (int j = first; j < ps.Count; j++)
                {
                    var q = ps[j];
                    if (_done[j] || q.Grad is null || q.Length != n || q.Dim(0) != rows) continue;
                    if (_batch.Length <= count) Array.Resize(ref _batch, 2 * count + 2);
                    if (_gradNormSq.Length <= count) Array.Resize(ref _gradNormSq, 2 * count + 2);
                    _batch[count++] = j;
                    _done[j] = true;
                }
                if (_update.Length < count * n) { _update = new float[count * n]; _orthogonal = new float[count * n]; }
                for (int b = 0; b < count; b++)
                {
                    var p = ps[_batch[b]];
                    var s = State(p);
                    s.Step++;
                    _gradNormSq[b] = MuonMath.Prepare(p.Span, p.Grad!.Span, MuonStateOf(s, rows, cols), _update.AsSpan(b * n, n), _orthogonal.AsSpan(b * n, n),
                        rows, cols, g.Momentum, g.Nesterov, Rule);
                }
                if (MuonMath.Orthogonalizes(Rule))
                    orthogonalizer.OrthogonalizeBatch(_update.AsSpan(0, count * n), count, rows, cols, _orthogonal.AsSpan(0, count * n));
                for (int b = 0; b < count; b++)
                {
                    var p = ps[_batch[b]];
                    var s = State(p);
                    MuonMath.Finish(p.Span, p.Grad!.Span, MuonStateOf(s, rows, cols), _update.AsSpan(b * n, n), _orthogonal.AsSpan(b * n, n),
                        rows, cols, g.LearningRate, g.Momentum, g.WeightDecay, Rule, s.Step, _gradNormSq[b]);
                }
            }
        }
        StepCount++;
    }

    private MuonState MuonStateOf(ParameterState s, int rows, int cols)
    {
        int second = Rule.SecondMomentLength(rows, cols);
        return new MuonState(s.Buffer("momentum_buffer", rows * cols),
            second > 0 ? s.Buffer("second_moment", second) : default,
            Rule.Scale == MuonUpdateScale.PowerIterationSpectral ? s.Buffer("power_vector", rows + cols) : default);
    }
}
