using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Kernels;

/// <summary>
/// Strided-batch GEMM and the lower-triangle SYRK of <see cref="ManagedGemm"/> against the plain product,
/// bit for bit: batching only changes which thread computes a tile, and X·Xᵀ's (i, j) and (j, i) are the
/// same multiply–adds in the same order, so mirroring the lower triangle reproduces the full product.
/// </summary>
public class GemmBatchedTests
{
    public static IEnumerable<object[]> Isas() => GemmTests.Isas();

    private static float[] Random(int length, ulong seed)
    {
        var x = new float[length];
        new Rng(seed).FillUniform(x, -1, 1);
        return x;
    }

    private static void AssertBitsEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:G9}, the one-at-a-time product gives {expected[i]:G9}");
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Strided_batch_is_bit_identical_to_one_product_at_a_time(GemmKernelIsa isa)
    {
        using var gemm = new ManagedGemm(isa);
        ulong seed = 10;
        // Small (serial), odd (edge tiles) and Newton–Schulz-sized (parallel) products; padded leading dimensions.
        foreach (var (m, n, k) in new[] { (5, 7, 3), (33, 17, 65), (97, 65, 31), (128, 256, 128), (256, 256, 256) })
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach (int batch in new[] { 1, 3 })
        foreach (float beta in new[] { 0f, 0.75f })
        {
            int lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
            long sa = (long)(ta ? k : m) * lda + 5, sb = (long)(tb ? n : k) * ldb, sc = (long)m * ldc + 1;
            var a = Random((int)(sa * batch), seed++); var b = Random((int)(sb * batch), seed++);
            var c = Random((int)(sc * batch), seed++); var expected = (float[])c.Clone();
            for (int i = 0; i < batch; i++)
                gemm.Sgemm(ta, tb, m, n, k, 0.5f, a.AsSpan((int)(i * sa)), lda, b.AsSpan((int)(i * sb)), ldb, beta, expected.AsSpan((int)(i * sc)), ldc);
            gemm.SgemmStridedBatched(ta, tb, m, n, k, 0.5f, a, lda, sa, b, ldb, sb, beta, c, ldc, sc, batch);
            AssertBitsEqual(expected, c, $"{gemm.Name} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} {m}x{n}x{k} batch {batch} beta {beta}");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Syrk_is_bit_identical_to_the_full_product_and_symmetric(GemmKernelIsa isa)
    {
        using var gemm = new ManagedGemm(isa);
        ulong seed = 100;
        foreach (int n in new[] { 1, 5, 8, 13, 16, 33, 65, 97, 256 })
        foreach (int k in new[] { 1, 7, 31, 257 })
        foreach (int batch in new[] { 1, 3 })
        foreach (float beta in new[] { 0f, -1.5f })
        {
            int ldx = k + 1, ldc = n + 2;
            long sx = (long)n * ldx + 3, sc = (long)n * ldc;
            var x = Random((int)(sx * batch), seed++);
            // beta ≠ 0 needs a symmetric C (the SYRK reads its lower triangle).
            var c = new float[sc * batch];
            var rng = new Rng(seed++);
            for (int bi = 0; bi < batch; bi++)
                for (int i = 0; i < n; i++)
                    for (int j = 0; j <= i; j++)
                        c[bi * sc + i * ldc + j] = c[bi * sc + j * ldc + i] = (float)rng.NextDouble();
            var expected = (float[])c.Clone();
            for (int i = 0; i < batch; i++)
                gemm.Sgemm(false, true, n, n, k, 1.25f, x.AsSpan((int)(i * sx)), ldx, x.AsSpan((int)(i * sx)), ldx, beta, expected.AsSpan((int)(i * sc)), ldc);
            gemm.SsyrkStridedBatched(n, k, 1.25f, x, ldx, sx, beta, c, ldc, sc, batch);
            // The lower triangle is the full product's, bit for bit; the upper is its mirror. (The full product
            // itself is exactly symmetric only on the register-tile path with beta = 0 and one k block: edge tiles
            // merge beta·C and later k blocks with a different rounding than full tiles, and the streaming
            // kernels for k ≤ 4 may round (i, j) and (j, i) differently.)
            for (int bi = 0; bi < batch; bi++)
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                    {
                        long lo = bi * sc + (long)Math.Max(i, j) * ldc + Math.Min(i, j);
                        float want = expected[lo], got = c[bi * sc + (long)i * ldc + j];
                        if (BitConverter.SingleToInt32Bits(want) != BitConverter.SingleToInt32Bits(got))
                            Assert.Fail($"{gemm.Name} SYRK n={n} k={k} batch {batch} beta {beta}: C[{i},{j}] = {got:G9}, the full product's lower triangle gives {want:G9}");
                    }
            if (k > 4 && k <= 256 && beta == 0f) AssertBitsEqual(expected, c, $"{gemm.Name} SYRK n={n} k={k} batch {batch} beta {beta} (whole matrix)");
        }
    }

    [Fact]
    public void The_default_batch_of_any_provider_matches_the_managed_one()
    {
        // GemmReference implements only Sgemm: the interface's default batch and SYRK loop over it.
        IGemmProvider reference = new GemmReference();
        using var gemm = new ManagedGemm();
        int n = 40, k = 70, batch = 2;
        var x = Random(n * k * batch, 7);
        var expected = new float[n * n * batch]; var actual = new float[n * n * batch];
        reference.SsyrkStridedBatched(n, k, 1f, x, k, n * k, 0f, expected, n, n * n, batch);
        gemm.SsyrkStridedBatched(n, k, 1f, x, k, n * k, 0f, actual, n, n * n, batch);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs reference {expected[i]}");
    }

    [Fact]
    public void Bad_batches_name_the_offending_value()
    {
        using var gemm = new ManagedGemm();
        var a = new float[64]; var c = new float[64];
        var e = Assert.Throws<ArgumentException>(() => gemm.SgemmStridedBatched(false, false, 4, 4, 4, 1f, a, 4, 16, a, 4, 16, 0f, c, 4, 8, 2));
        Assert.Contains("overlap", e.Message);
        e = Assert.Throws<ArgumentException>(() => gemm.SgemmStridedBatched(false, false, 4, 4, 4, 1f, a, 4, -1, a, 4, 16, 0f, c, 4, 16, 2));
        Assert.Contains("non-negative", e.Message);
        e = Assert.Throws<ArgumentException>(() => gemm.SsyrkStridedBatched(4, 4, 1f, a, 4, 16, 0f, c, 4, 16, 5));
        Assert.Contains("buffer", e.Message);
        e = Assert.Throws<ArgumentException>(() => gemm.SgemmStridedBatched(false, false, 4, 4, 4, 1f, a, 4, 16, a, 4, 16, 0f, c, 4, 16, -1));
        Assert.Contains("batch count", e.Message);
    }
}
