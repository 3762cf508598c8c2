using MuonInr.Kernels;

namespace MuonInr.Optim;

/// <summary>
/// Odd-polynomial Newton–Schulz iteration toward the polar factor, on the GEMM provider:
/// if rows &gt; cols work on Xᵀ (so X·Xᵀ is the small Gram matrix); X ← X / (‖X‖_F·s + 1e-7);
/// then per iteration A = X·Xᵀ, B = b·A + c·A·A, X ← a·X + B·X. With Keller Jordan's quintic
/// coefficients (3.4445, −4.7750, 2.0315) for 5 steps (<see cref="NewtonSchulz5"/>) the singular values
/// land roughly in [0.7, 1.2] instead of exactly 1: faster convergence near zero was bought with a
/// looser fit, which Muon tolerates. The two symmetric products run as SYRKs (half the multiply–adds of a
/// GEMM) and same-shape matrices can be orthogonalized together (<see cref="OrthogonalizeBatch"/>). Polar Express (<see cref="PolarExpress"/>) uses per-iteration
/// coefficients optimal in the minimax sense. Runs in fp32 (the reference uses bf16 on GPU).
/// </summary>
public class NewtonSchulz : IOrthogonalizer
{
    private readonly (float A, float B, float C)[] _coefficients;
    private readonly double _normScale;
    private float[] _x = [], _x2 = [], _a = [], _b = [];

    /// <summary>Creates an iteration with explicit per-step coefficients and the normalisation factor s.</summary>
    public NewtonSchulz(string name, IReadOnlyList<(double A, double B, double C)> coefficients, double normScale = 1.0)
    {
        if (coefficients.Count < 1) throw new ArgumentException($"Newton–Schulz needs at least one step, got {coefficients.Count}.");
        Name = name;
        _coefficients = coefficients.Select(c => ((float)c.A, (float)c.B, (float)c.C)).ToArray();
        _normScale = normScale;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Number of iterations.</summary>
    public int Steps => _coefficients.Length;

    /// <summary>Keller Jordan's quintic iteration (a, b, c) = (3.4445, −4.7750, 2.0315), <paramref name="steps"/> times (default 5).</summary>
    public static NewtonSchulz NewtonSchulz5(int steps = 5)
    {
        if (steps < 1) throw new ArgumentException($"Newton–Schulz steps must be ≥ 1, got {steps}.");
        return new NewtonSchulz("ns5", Enumerable.Repeat((3.4445, -4.7750, 2.0315), steps).ToList());
    }

    /// <summary>
    /// Polar Express (Amsel et al., arXiv 2505.16932) with <paramref name="steps"/> iterations (default 5):
    /// normalise by ‖X‖_F·1.01; the listed sets divided by (1.01, 1.01³, 1.01⁵) for safety, then
    /// (1.875, −1.25, 0.375) repeated (MUON.md).
    /// </summary>
    public static NewtonSchulz PolarExpress(int steps = 5)
    {
        if (steps < 1) throw new ArgumentException($"Polar Express steps must be ≥ 1, got {steps}.");
        (double, double, double)[] sets =
        [
            (8.28721201814563, -23.595886519098837, 17.300387312530933),
            (4.107059111542203, -2.9478499167379106, 0.5448431082926601),
            (3.9486908534822946, -2.908902115962949, 0.5518191394370137),
            (3.3184196573706015, -2.488488024314874, 0.51004894012372),
            (2.300652019954817, -1.6689039845747493, 0.4188073119525673),
            (1.891301407787398, -1.2679958271945868, 0.37680408948524835),
            (1.8750014808534479, -1.2500016453999487, 0.3750001645474248),
        ];
        var list = new List<(double, double, double)>();
        for (int i = 0; i < steps; i++)
        {
            if (i < sets.Length)
            {
                var (a, b, c) = sets[i];
                list.Add((a / 1.01, b / Math.Pow(1.01, 3), c / Math.Pow(1.01, 5)));
            }
            else list.Add((1.875, -1.25, 0.375));
        }
        return new NewtonSchulz("polar-express", list, normScale: 1.01);
    }

    /// <inheritdoc />
    public void Orthogonalize(ReadOnlySpan<float> input, int rows, int cols, Span<float> output)
        => OrthogonalizeBatch(input, 1, rows, cols, output);

    /// <summary>
    /// Orthogonalizes <paramref name="count"/> matrices of one shape (stored one after another) in one pass:
    /// every Newton–Schulz product runs as one strided-batch GEMM over all of them, and the two symmetric
    /// products per iteration (A = X·Xᵀ, and A·A = A·Aᵀ because A is symmetric) as SYRKs that compute half
    /// of the matrix. Each result is bit-identical to orthogonalizing that matrix alone (and, from the
    /// SYRKs, equal to the former full-product iteration up to rounding in edge tiles).
    /// </summary>
    public void OrthogonalizeBatch(ReadOnlySpan<float> input, int count, int rows, int cols, Span<float> output)
    {
        long size = (long)rows * cols;
        if (rows <= 0 || cols <= 0 || count < 1 || input.Length != count * size || output.Length != count * size)
            throw new ArgumentException($"Orthogonalize needs {count} matrices of {rows}x{cols} and output of {count * size} values, got {input.Length} and {output.Length}.");
        bool transpose = rows > cols;
        int r = transpose ? cols : rows, c = transpose ? rows : cols;   // each X is r × c with r ≤ c
        int xs = r * c, gs = r * r;                                     // batch strides of X and of the r × r Gram matrices
        Grow(ref _x, count * xs); Grow(ref _x2, count * xs); Grow(ref _a, count * gs); Grow(ref _b, count * gs);
        for (int i = 0; i < count; i++)
        {
            var x = _x.AsSpan(i * xs, xs);
            var src = input.Slice(i * xs, xs);
            if (transpose) Transpose(src, rows, cols, x); else src.CopyTo(x);
            double norm = 0;
            foreach (float v in x) norm += (double)v * v;
            TensorPrimitives.Multiply(x, (float)(1.0 / (Math.Sqrt(norm) * _normScale + 1e-7)), x);
        }

        float[] cur = _x, next = _x2;
        var a = _a.AsSpan(0, count * gs); var b = _b.AsSpan(0, count * gs);
        foreach (var (ca, cb, cc) in _coefficients)
        {
            var x = cur.AsSpan(0, count * xs);
            Gemm.SsyrkStridedBatched(r, c, 1f, x, c, xs, 0f, a, r, gs, count);                      // A = X·Xᵀ      (r × r)
            a.CopyTo(b);
            Gemm.SsyrkStridedBatched(r, r, cc, a, r, gs, cb, b, r, gs, count);                      // B = b·A + c·A·A
            var xn = next.AsSpan(0, count * xs);
            x.CopyTo(xn);
            Gemm.SgemmStridedBatched(false, false, r, c, r, 1f, b, r, gs, x, c, xs, ca, xn, c, xs, count); // X ← a·X + B·X
            (cur, next) = (next, cur);
        }
        for (int i = 0; i < count; i++)
        {
            var result = cur.AsSpan(i * xs, xs);
            var dst = output.Slice(i * xs, xs);
            if (transpose) Transpose(result, r, c, dst); else result.CopyTo(dst);
        }
    }

    private static void Grow(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
    }

    // dst (cols × rows) = srcᵀ, src rows × cols.
    internal static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        const int block = 32;
        for (int i0 = 0; i0 < rows; i0 += block)
            for (int j0 = 0; j0 < cols; j0 += block)
                for (int i = i0; i < Math.Min(rows, i0 + block); i++)
                    for (int j = j0; j < Math.Min(cols, j0 + block); j++)
                        dst[j * rows + i] = src[i * cols + j];
    }
}
