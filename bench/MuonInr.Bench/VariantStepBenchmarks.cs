using BenchmarkDotNet.Attributes;
using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Bench;

/// <summary>
/// One training step (forward + MSE + backward + update) of the variants study's model — a 5-layer ReLU MLP,
/// width 128, on 6,144 points (kodim01 ↓8) — with Adam (baseline) and with every member of the Muon family
/// (+ auxiliary Adam): the "s/step relative to Adam" column of docs/variants.md, measured alone rather than
/// from sweep runs that share the cores.
/// dotnet run -c Release --project bench/MuonInr.Bench -- --filter '*VariantStepBenchmarks*'
/// </summary>
public class VariantStepBenchmarks
{
    private Sequential _model = null!;
    private Tensor _x = null!, _y = null!;
    private Optimizer _optimizer = null!;

    public static IEnumerable<string> Optimizers() => ["adam", .. MuonRule.All.Select(r => r.Name)];

    [ParamsSource(nameof(Optimizers))]
    public string Optimizer { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(0);
        _model = new Sequential(new Linear(2, 128, rng), new ReLU(), new Linear(128, 128, rng), new ReLU(), new Linear(128, 128, rng), new ReLU(),
            new Linear(128, 128, rng), new ReLU(), new Linear(128, 3, rng));
        _x = Tensor.Uniform(rng, -1, 1, 6_144, 2).Escape();
        _y = Tensor.Uniform(rng, 0, 1, 6_144, 3).Escape();
        _optimizer = Optimizer == "adam" ? new Adam(_model.Parameters(), 1e-3)
            : MuonWithAuxAdam.ForInr(_model, 0.02, 1e-3, rule: MuonRule.ByName(Optimizer));
    }

    [Benchmark]
    public void Step()
    {
        using (var scope = new TensorScope())
        {
            _model.ZeroGrad();
            Ops.MseLoss(_model.Forward(_x), _y).Backward();
        }
        _optimizer.Step();
    }
}
