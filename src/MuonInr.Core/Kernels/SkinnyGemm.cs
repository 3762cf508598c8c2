using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace MuonInr.Kernels;

/// <summary>
/// GEMMs with one tiny dimension (≤ <see cref="MaxSmall"/>), as in an INR's first layer (k = 2 input
/// coordinates) and last layer (n = 3 colour channels). Packing would copy the whole large operand for
/// a handful of FMAs per element, so these stream the large operand once instead:
/// small k: C[i,:] = β·C[i,:] + α·Σ_p a_ip·op(B)[p,:] (rows in parallel);
/// small n with A not transposed: n dot products per row of A (rows in parallel);
/// small m or small n with A transposed (weight gradients, long k): per-thread partial sums over a fixed
/// k partition, added in thread order. Results are independent of timing.
/// </summary>
internal static unsafe class SkinnyGemm
{
    /// <summary>Largest "tiny" dimension.</summary>
    public const int MaxSmall = 4;

    /// <summary>Runs the product if it has a tiny dimension this class handles; returns false otherwise.</summary>
    public static bool TryRun(bool ta, bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        // Small k: streaming wins when op(B) is transposed (packing Wᵀ is the costly part); for NN the packed path measured faster.
        if (k <= MaxSmall && n >= 16 && tb) { SmallK(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); return true; }
        if (n <= MaxSmall && !ta && k >= 16) { SmallNRows(tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); return true; }
        if (ta && (m <= MaxSmall || n <= MaxSmall) && k >= 1024 && (long)m * n <= 4096 && (!tb || n <= MaxSmall))
        {
            SmallOutputLongK(tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return true;
        }
        return false;
    }

    private static int Chunks(long work) => (int)Math.Clamp(work / 32768, 1, WorkerPool.Degree);

    // op(B) is k × n with k ≤ 4: copy it contiguous, then each row of C is k AXPYs.
    private static void SmallK(bool ta, bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        // op(B)·α as 4 rows of n (rows past k are zero), so every row of C is 4 FMAs per vector.
        var bp = ArrayPool<float>.Shared.Rent(MaxSmall * n);
        try
        {
            Array.Clear(bp, 0, MaxSmall * n);
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) bp[p * n + j] = alpha * (tb ? b[(long)j * ldb + p] : b[(long)p * ldb + j]);
            fixed (float* pb = bp)
            {
                float* b0 = pb, b1 = pb + n, b2 = pb + 2 * n, b3 = pb + 3 * n;
                int chunks = Chunks((long)m * n);
                WorkerPool.Run(chunks, ch =>
                {
                    int i0 = (int)((long)m * ch / chunks), i1 = (int)((long)m * (ch + 1) / chunks);
                    Span<float> ai = stackalloc float[MaxSmall];
                    for (int i = i0; i < i1; i++)
                    {
                        ai.Clear();
                        for (int p = 0; p < k; p++) ai[p] = ta ? a[(long)p * lda + i] : a[(long)i * lda + p];
                        var a0 = new Vector<float>(ai[0]); var a1 = new Vector<float>(ai[1]);
                        var a2 = new Vector<float>(ai[2]); var a3 = new Vector<float>(ai[3]);
                        float* crow = c + (long)i * ldc;
                        int j = 0, w = Vector<float>.Count;
                        for (; j <= n - w; j += w)
                        {
                            var acc = a0 * Unsafe.ReadUnaligned<Vector<float>>(b0 + j) + a1 * Unsafe.ReadUnaligned<Vector<float>>(b1 + j)
                                    + a2 * Unsafe.ReadUnaligned<Vector<float>>(b2 + j) + a3 * Unsafe.ReadUnaligned<Vector<float>>(b3 + j);
                            if (beta != 0f) acc += Unsafe.ReadUnaligned<Vector<float>>(crow + j) * beta;
                            Unsafe.WriteUnaligned(crow + j, acc);
                        }
                        for (; j < n; j++)
                        {
                            float s = ai[0] * b0[j] + ai[1] * b1[j] + ai[2] * b2[j] + ai[3] * b3[j];
                            crow[j] = beta == 0f ? s : s + beta * crow[j];
                        }
                    }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(bp); }
    }

    // n ≤ 4, A rows contiguous: C[i, j] = α·⟨A[i,:], op(B)[:, j]⟩ + β·C[i, j].
    private static void SmallNRows(bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        var bt = ArrayPool<float>.Shared.Rent(n * k);
        try
        {
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) bt[j * k + p] = tb ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
            fixed (float* pbt = bt)
            {
                float* btp = pbt;
                int chunks = Chunks((long)m * k);
                WorkerPool.Run(chunks, ch =>
                {
                    int i0 = (int)((long)m * ch / chunks), i1 = (int)((long)m * (ch + 1) / chunks);
                    for (int i = i0; i < i1; i++)
                    {
                        var arow = new ReadOnlySpan<float>(a + (long)i * lda, k);
                        for (int j = 0; j < n; j++)
                        {
                            float dot = TensorPrimitives.Dot(arow, new ReadOnlySpan<float>(btp + j * k, k));
                            float* cij = c + (long)i * ldc + j;
                            *cij = beta == 0f ? alpha * dot : alpha * dot + beta * *cij;
                        }
                    }
                });
            }
        }
        finally { ArrayPool<float>.Shared.Return(bt); }
    }

    // A transposed (stored k × m), small C, long k: chunk t sums rows p of its k range:
    // P_t[i, :] += A[p, i]·op(B)[p, :]; then C = β·C + α·Σ_t P_t.
    private static void SmallOutputLongK(bool tb, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        int chunks = Math.Max(1, Math.Min(WorkerPool.Degree, k / 256));
        var partial = ArrayPool<float>.Shared.Rent(chunks * m * n);
        try
        {
            fixed (float* pp = partial)
            {
                float* parts = pp;
                WorkerPool.Run(chunks, ch =>
                {
                    int p0 = (int)((long)k * ch / chunks), p1 = (int)((long)k * (ch + 1) / chunks);
                    float* acc = parts + (long)ch * m * n;
                    new Span<float>(acc, m * n).Clear();
                    if (m <= MaxSmall && !tb)
                    {
                        // Rows of B are contiguous: m AXPYs per row p.
                        for (int p = p0; p < p1; p++)
                        {
                            var brow = new ReadOnlySpan<float>(b + (long)p * ldb, n);
                            for (int i = 0; i < m; i++)
                            {
                                var dst = new Span<float>(acc + i * n, n);
                                TensorPrimitives.MultiplyAdd(brow, a[(long)p * lda + i], dst, dst);
                            }
                        }
                    }
                    else
                    {
                        // n ≤ 4: accumulate column j of C as Σ_p A[p, :]·op(B)[p, j] (rows of A contiguous), stored transposed.
                        for (int p = p0; p < p1; p++)
                        {
                            var arow = new ReadOnlySpan<float>(a + (long)p * lda, m);
                            for (int j = 0; j < n; j++)
                            {
                                float bpj = tb ? b[(long)j * ldb + p] : b[(long)p * ldb + j];
                                var dst = new Span<float>(acc + j * m, m);
                                TensorPrimitives.MultiplyAdd(arow, bpj, dst, dst);
                            }
                        }
                    }
                });
                bool transposed = !(m <= MaxSmall && !tb);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        float s = 0;
                        for (int t = 0; t < chunks; t++) s += parts[(long)t * m * n + (transposed ? j * m + i : i * n + j)];
                        float* cij = c + (long)i * ldc + j;
                        *cij = beta == 0f ? alpha * s : alpha * s + beta * *cij;
                    }
            }
        }
        finally { ArrayPool<float>.Shared.Return(partial); }
    }
}
