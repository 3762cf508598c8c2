namespace MuonInr.Kernels;

/// <summary>
/// One GEMM product timed by <see cref="GemmCalibration"/>: C[m, n] = op(A)[m, k] · op(B)[k, n] (row-major,
/// leading dimensions as tight as the shape allows).
/// </summary>
/// <param name="Label">Short name shown in the decision, e.g. "forward NT 4096x256x256".</param>
/// <param name="TransA">Whether A is transposed.</param>
/// <param name="TransB">Whether B is transposed.</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">The inner dimension.</param>
public readonly record struct GemmShape(string Label, bool TransA, bool TransB, int M, int N, int K)
{
    /// <summary>Leading dimension of A: k when A is [m, k], m when it is stored [k, m].</summary>
    public int Lda => TransA ? M : K;

    /// <summary>Leading dimension of B: n when B is [k, n], k when it is stored [n, k].</summary>
    public int Ldb => TransB ? K : N;

    /// <summary>Elements of A, B and C.</summary>
    public (int A, int B, int C) Lengths => (M * K, K * N, M * N);

    /// <summary>Floating-point operations (2·m·n·k).</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>
    /// The three products of a Linear layer (<c>in</c> = <c>out</c> = <paramref name="width"/>) on
    /// <paramref name="rows"/> points: forward Y = X·Wᵀ (NT), input gradient dX = dY·W (NN), weight
    /// gradient dW = dYᵀ·X (TN).
    /// </summary>
    public static GemmShape[] LinearLayer(int rows, int width) =>
    [
        new($"forward NT {rows}x{width}x{width}", false, true, rows, width, width),
        new($"input-grad NN {rows}x{width}x{width}", false, false, rows, width, width),
        new($"weight-grad TN {width}x{width}x{rows}", true, false, width, width, rows),
    ];
}
