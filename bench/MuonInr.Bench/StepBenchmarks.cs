using BenchmarkDotNet.Attributes;
using MuonInr.Kernels;
using MuonInr.Nn;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Bench;

/// <summary>
/// One training step of protocol A (5x256 ReLU MLP, 24,576 points): forward + MSE + backward alone, and
/// with an Adam or a Muon + auxiliary Adam update, on each GEMM provider. Allocation is reported by the
/// memory diagnoser.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private Sequential _model = null!;
    private Tensor _x = null!, _y = null!;
    private Optimizer _adam = null!, _muon = null!;

    // managed-avx2: the managed GEMM with its AVX2 register tile forced (elementwise kernels keep the CPU's widest vectors).
    [Params("managed", "managed-avx2", "openblas")]
    public string Provider { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        Gemm.Provider = Provider switch
        {
            "managed" => GemmProviders.Managed,
            "managed-avx2" => new ManagedGemm(GemmKernelIsa.Avx2),
            _ => GemmProviders.TryNative() ?? throw new InvalidOperationException(GemmProviders.NativeUnavailableReason),
        };
        var rng = new Rng(0);
        _model = new Sequential(new Linear(2, 256, rng), new ReLU(), new Linear(256, 256, rng), new ReLU(), new Linear(256, 256, rng), new ReLU(),
            new Linear(256, 256, rng), new ReLU(), new Linear(256, 3, rng));
        _x = Tensor.Uniform(rng, -1, 1, 24_576, 2).Escape();
        _y = Tensor.Uniform(rng, 0, 1, 24_576, 3).Escape();
        _adam = new Adam(_model.Parameters(), 1e-3);
        _muon = MuonWithAuxAdam.ForInr(_model, 0.1, 1e-3);
    }

    private void ForwardBackward()
    {
        using var scope = new TensorScope();
        _model.ZeroGrad();
        Ops.MseLoss(_model.Forward(_x), _y).Backward();
    }

    [Benchmark(Baseline = true)]
    public void StepWithoutUpdate() => ForwardBackward();

    [Benchmark]
    public void StepAdam() { ForwardBackward(); _adam.Step(); }

    [Benchmark]
    public void StepMuon() { ForwardBackward(); _muon.Step(); }
}
