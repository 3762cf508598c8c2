using MuonInr.Kernels;

namespace MuonInr.Benchmarking;

/// <summary>One GEMM call's shape, as recorded by <see cref="RecordingGemm"/>.</summary>
public readonly record struct GemmCall(bool TransA, bool TransB, int M, int N, int K, int Lda, int Ldb, int Ldc, float Beta)
{
    /// <summary>Floating-point operations of the call (2·m·n·k).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>BLAS-style op name: NN, NT, TN or TT.</summary>
    public string Op => $"{(TransA ? 'T' : 'N')}{(TransB ? 'T' : 'N')}";
}

/// <summary>
/// A GEMM provider that forwards to another and records every call's shape, so a benchmark can
/// replay exactly the GEMMs of a training step and compare the step with its GEMM-only time. Calls from
/// several threads are recorded safely (in the order they arrive).
/// </summary>
public sealed class RecordingGemm(IGemmProvider inner) : IGemmProvider
{
    /// <summary>The calls recorded so far, in order.</summary>
    public List<GemmCall> Calls { get; } = [];

    /// <inheritdoc />
    public string Name => inner.Name;

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        lock (Calls) Calls.Add(new GemmCall(transA, transB, m, n, k, lda, ldb, ldc, beta));
        inner.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
