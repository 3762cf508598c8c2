using BenchmarkDotNet.Attributes;
using MuonInr.Kernels;
using MuonInr.Optim;
using MuonInr.Tensors;

namespace MuonInr.Bench;

/// <summary>
/// Newton–Schulz 5 on the three 256 x 256 hidden matrices of protocol A (5 x 256 MLP), the part of a Muon
/// step that Adam does not pay: the former iteration (three full GEMMs per step, one matrix at a time), the
/// current one on one matrix at a time (two products as lower-triangle SYRKs), and the current one batched
/// over the three matrices (one strided-batch call per product). The managed GEMM with the AVX-512 and
/// the AVX2 register tile.
/// dotnet run -c Release --project bench/MuonInr.Bench -- --filter '*NewtonSchulzBenchmarks*'
/// </summary>
public class NewtonSchulzBenchmarks
{
    private const int N = 256, Count = 3;
    private float[] _u = [], _o = [];
    private readonly NewtonSchulz _ns = NewtonSchulz.NewtonSchulz5();
    private readonly FullProductNewtonSchulz _former = new();

    [Params("avx512", "avx2")]
    public string Isa { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var isa = Isa == "avx512" ? GemmKernelIsa.Avx512 : GemmKernelIsa.Avx2;
        Gemm.Provider = new ManagedGemm(isa);
        _u = new float[Count * N * N]; _o = new float[Count * N * N];
        new Rng(1).FillNormal(_u, 0, 1);
    }

    [Benchmark(Baseline = true)]
    public void FormerFullProducts()
    {
        for (int i = 0; i < Count; i++) _former.Orthogonalize(_u.AsSpan(i * N * N, N * N), N, _o.AsSpan(i * N * N, N * N));
    }

    [Benchmark]
    public void SyrkOneAtATime()
    {
        for (int i = 0; i < Count; i++) _ns.Orthogonalize(_u.AsSpan(i * N * N, N * N), N, N, _o.AsSpan(i * N * N, N * N));
    }

    [Benchmark]
    public void SyrkBatched() => _ns.OrthogonalizeBatch(_u, Count, N, N, _o);

    /// <summary>NS5 as MuonInr ran it before SYRKs and batching (square input only): A = X·Xᵀ, B = b·A + c·A·A, X ← a·X + B·X with full GEMMs.</summary>
    private sealed class FullProductNewtonSchulz
    {
        private readonly float[] _x = new float[N * N], _x2 = new float[N * N], _a = new float[N * N], _b = new float[N * N];

        public void Orthogonalize(ReadOnlySpan<float> input, int n, Span<float> output)
        {
            input.CopyTo(_x);
            double norm = 0;
            foreach (float v in _x) norm += (double)v * v;
            System.Numerics.Tensors.TensorPrimitives.Multiply(_x, (float)(1.0 / (Math.Sqrt(norm) + 1e-7)), _x);
            float[] cur = _x, next = _x2;
            for (int s = 0; s < 5; s++)
            {
                Gemm.Sgemm(false, true, n, n, n, 1f, cur, n, cur, n, 0f, _a, n);
                _a.CopyTo(_b, 0);
                Gemm.Sgemm(false, false, n, n, n, 2.0315f, _a, n, _a, n, -4.7750f, _b, n);
                cur.CopyTo(next, 0);
                Gemm.Sgemm(false, false, n, n, n, 1f, _b, n, cur, n, 3.4445f, next, n);
                (cur, next) = (next, cur);
            }
            cur.AsSpan(0, n * n).CopyTo(output);
        }
    }
}
