using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Kernels;

public class GemmTests
{
    // Sizes: 0, 1, primes, and non-multiples of every register tile (4x8, 6x16, 12x32).
    public static readonly int[] Sizes = [0, 1, 2, 5, 7, 13, 17, 31, 33, 65, 97];

    public static IEnumerable<object[]> Isas()
    {
        yield return [GemmKernelIsa.Vector128];
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) yield return [GemmKernelIsa.Avx2];
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) yield return [GemmKernelIsa.Avx512];
    }

    /// <summary>Runs a provider against the reference on one case; leading dimensions padded; checks padding untouched.</summary>
    internal static void CheckAgainstReference(IGemmProvider provider, bool ta, bool tb, int m, int n, int k, float alpha, float beta, ulong seed, bool nanC = false)
    {
        var rng = new Rng(seed);
        int lda = Math.Max(1, (ta ? m : k) + 3), ldb = Math.Max(1, (tb ? k : n) + 2), ldc = Math.Max(1, n + 1);
        var a = new float[(ta ? k : m) * lda]; var b = new float[(tb ? n : k) * ldb];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        var c = new float[m * ldc];
        if (nanC) Array.Fill(c, float.NaN); else rng.FillUniform(c, -1, 1);
        var expected = (float[])c.Clone();
        if (nanC) for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) expected[i * ldc + j] = 0f;
        new GemmReference().Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        provider.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        float tol = 2e-6f * MathF.Sqrt(Math.Max(1, k)) * 4 + 1e-6f;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float e = expected[i * ldc + j], g = c[i * ldc + j];
                Assert.False(float.IsNaN(g), $"{provider.Name} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} m={m} n={n} k={k}: NaN at ({i},{j})");
                Assert.True(Math.Abs(e - g) <= tol * (1 + Math.Abs(e)),
                    $"{provider.Name} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} m={m} n={n} k={k} alpha={alpha} beta={beta}: C[{i},{j}] = {g}, expected {e}");
            }
            for (int j = n; j < ldc; j++)
                Assert.True(BitConverter.SingleToInt32Bits(c[i * ldc + j]) == BitConverter.SingleToInt32Bits(expected[i * ldc + j]), $"{provider.Name} wrote outside C at ({i},{j})");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Managed_matches_reference_for_every_transpose_and_odd_sizes(GemmKernelIsa isa)
    {
        using var gemm = new ManagedGemm(isa);
        ulong seed = 1;
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        foreach (int m in Sizes)
        foreach (int n in new[] { 0, 1, 3, 16, 33, 65 })
        foreach (int k in new[] { 0, 1, 2, 7, 31, 257 })
            CheckAgainstReference(gemm, ta, tb, m, n, k, 1f, 0f, seed++);
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Managed_handles_alpha_beta_and_never_reads_C_when_beta_is_zero(GemmKernelIsa isa)
    {
        using var gemm = new ManagedGemm(isa);
        foreach (bool ta in new[] { false, true })
        foreach (bool tb in new[] { false, true })
        {
            CheckAgainstReference(gemm, ta, tb, 37, 45, 29, 0.5f, 1.5f, 7);
            CheckAgainstReference(gemm, ta, tb, 37, 45, 29, -2f, 1f, 8);
            CheckAgainstReference(gemm, ta, tb, 37, 45, 29, 1f, 0f, 9, nanC: true);
            CheckAgainstReference(gemm, ta, tb, 5, 6, 0, 1f, 0f, 10, nanC: true);   // k = 0: C = 0
            CheckAgainstReference(gemm, ta, tb, 5, 6, 0, 1f, 0.25f, 11);            // k = 0: C = beta·C
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Managed_multi_block_and_k_split_paths_match_reference(GemmKernelIsa isa)
    {
        using var gemm = new ManagedGemm(isa);
        // Several mc/kc/nc blocks with tails, and the long-k weight-gradient shape (k-split path).
        CheckAgainstReference(gemm, false, true, 421, 67, 600, 1f, 0f, 21);
        CheckAgainstReference(gemm, false, false, 300, 70, 513, 1f, 1f, 22);
        CheckAgainstReference(gemm, true, false, 40, 24, 5000, 1f, 0f, 23);
        CheckAgainstReference(gemm, true, false, 40, 24, 5000, 0.5f, 2f, 24);
        CheckAgainstReference(gemm, true, true, 13, 9, 4099, 1f, 0f, 25);
        // k-split shapes whose A and B panels are packed on the fly by the tiles (full and partial panels of both).
        CheckAgainstReference(gemm, true, false, 50, 70, 4100, 1.5f, 0.5f, 26);
        CheckAgainstReference(gemm, false, false, 30, 70, 5000, 1f, 0f, 27);
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Packing_on_the_fly_gives_bit_identical_products_to_separate_packing(GemmKernelIsa isa)
    {
        // The first tile that reads a micro-panel packs it from the source: A when transposed (k-split and row
        // split), B when not (k-split, and a row split on one thread). Only data moves differently, so C must not
        // change by a single bit. Shapes: the k-split (weight gradient; needs two or more worker threads), products
        // small enough to run on the calling thread (one chunk: A and B on the fly), a row split over threads;
        // full and partial panels of every tile (6x16, 12x32), n below one panel, several k blocks with a tail,
        // alpha and beta ≠ 0. Flipping the process-wide switch changes only other tests' speed.
        using var gemm = new ManagedGemm(isa);
        var shapes = new[] { (40, 24, 5000), (96, 80, 4099), (250, 130, 5000), (7, 70, 3000), (13, 9, 4099),
            (40, 24, 200), (13, 9, 2000), (64, 40, 100), (7, 70, 500), (300, 40, 300), (97, 65, 520) };
        AssertSwitchKeepsBits(gemm, on => ManagedGemm.FusedPacking = on, [(true, false), (true, true), (false, false)], shapes, 2f, 0.5f, new Rng(78));
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Private_B_panels_give_bit_identical_products_to_a_shared_B(GemmKernelIsa isa)
    {
        // A row split over threads where each chunk packs its own copy of B (on the fly where B is not transposed)
        // runs the same multiply-adds in the same order as with one shared packed B. Shapes: several k blocks
        // with a tail (k = 700: three blocks of 234/234/232), two nc blocks (n = 2100 > 2048), a narrow last
        // panel, m above and below the private-B threshold (2 chunks x mc: 192 on AVX2, 384 on AVX-512),
        // beta ≠ 0. Needs two or more worker threads to split rows (CI has two).
        using var gemm = new ManagedGemm(isa);
        var shapes = new[] { (400, 2100, 40), (300, 257, 700), (400, 100, 700), (500, 40, 300), (1000, 33, 257), (191, 70, 600), (800, 17, 30) };
        AssertSwitchKeepsBits(gemm, on => ManagedGemm.PrivateBPanels = on, [(false, false), (false, true), (true, false), (true, true)],
            shapes, 1.5f, 0.5f, new Rng(79));
        // A strided batch: chunks start and end inside a product, and each packs the B_i of every product it touches.
        const int m = 70, n = 50, k = 300, batch = 7;
        var rng = new Rng(80);
        var a = new float[batch * m * k]; var b = new float[batch * k * n];
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        var cOn = new float[batch * m * n]; var cOff = new float[batch * m * n];
        try
        {
            ManagedGemm.PrivateBPanels = false;
            gemm.SgemmStridedBatched(false, false, m, n, k, 1f, a, k, m * k, b, n, k * n, 0f, cOff, n, m * n, batch);
        }
        finally { ManagedGemm.PrivateBPanels = true; }
        gemm.SgemmStridedBatched(false, false, m, n, k, 1f, a, k, m * k, b, n, k * n, 0f, cOn, n, m * n, batch);
        for (int i = 0; i < cOn.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(cOn[i]) == BitConverter.SingleToInt32Bits(cOff[i]), $"{gemm.Name} batched: element {i} differs ({cOn[i]} vs {cOff[i]})");
        CheckAgainstReference(gemm, false, false, 400, 2100, 40, 1f, 0.5f, 81);
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Narrow_tail_tile_gives_bit_identical_products_to_the_full_tile(GemmKernelIsa isa)
    {
        // A last column panel at most half a tile wide (n = 257: 1 column; 40: 8 on AVX2 and AVX-512; 5) runs six
        // rows by one vector per pass instead of the full tile: each element's multiply-adds are the same, in the
        // same order, so C must not change by a bit. Row tails (13 = 12 + 1 = 2·6 + 1), the k-split, the serial
        // path and beta ≠ 0. The 128-bit tile has no narrow tile: the switch changes nothing there.
        using var gemm = new ManagedGemm(isa);
        var shapes = new[] { (257, 257, 257), (13, 40, 50), (61, 5, 300), (40, 24, 5000), (97, 264, 33), (250, 40, 5000) };
        AssertSwitchKeepsBits(gemm, on => ManagedGemm.NarrowTailTile = on, [(false, false), (false, true), (true, false), (true, true)],
            shapes, 2f, 0.5f, new Rng(82));
    }

    // Runs every (transpose, shape) with a process-wide switch off, then on, from the same inputs (padded leading
    // dimensions, C filled when beta ≠ 0), and asserts that C has the same bits; the switch is left on.
    private static void AssertSwitchKeepsBits(ManagedGemm gemm, Action<bool> setSwitch, (bool TA, bool TB)[] transposes,
        (int M, int N, int K)[] shapes, float alpha, float beta, Rng rng)
    {
        foreach (var (ta, tb) in transposes)
        foreach (var (m, n, k) in shapes)
        {
            int lda = (ta ? m : k) + 5, ldb = (tb ? k : n) + 3;
            var a = new float[(ta ? k : m) * lda]; var b = new float[(tb ? n : k) * ldb];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
            var cOn = new float[m * n];
            if (beta != 0f) rng.FillUniform(cOn, -1, 1);
            var cOff = (float[])cOn.Clone();
            try
            {
                setSwitch(false);
                gemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cOff, n);
            }
            finally { setSwitch(true); }
            gemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, cOn, n);
            for (int i = 0; i < cOn.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(cOn[i]) == BitConverter.SingleToInt32Bits(cOff[i]),
                    $"{gemm.Name} {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')} {m}x{n}x{k}: element {i} differs ({cOn[i]} vs {cOff[i]})");
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Skinny_paths_of_first_and_last_inr_layers_match_reference(GemmKernelIsa isa)
    {
        using var gemm = new ManagedGemm(isa);
        ulong seed = 300;
        foreach (float beta in new[] { 0f, 0.5f })
        {
            CheckAgainstReference(gemm, false, true, 3000, 40, 2, 1f, beta, seed++);    // first layer forward, k = 2
            CheckAgainstReference(gemm, false, false, 3000, 40, 3, 1f, beta, seed++);   // last layer input gradient, k = 3
            CheckAgainstReference(gemm, true, false, 3000, 40, 4, 1f, beta, seed++);
            CheckAgainstReference(gemm, false, true, 3000, 3, 64, 1f, beta, seed++);    // last layer forward, n = 3
            CheckAgainstReference(gemm, false, false, 3000, 1, 64, 1.5f, beta, seed++);
            CheckAgainstReference(gemm, true, false, 3, 40, 5000, 1f, beta, seed++);    // last layer weight gradient, m = 3
            CheckAgainstReference(gemm, true, false, 40, 2, 5000, 1f, beta, seed++);    // first layer weight gradient, n = 2
            CheckAgainstReference(gemm, true, true, 40, 3, 2000, 0.5f, beta, seed++);
            CheckAgainstReference(gemm, true, false, 4, 4, 1500, 1f, beta, seed++, nanC: beta == 0f);
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void Vector_packing_gives_bit_identical_products_to_scalar_packing(GemmKernelIsa isa)
    {
        // The vector paths of GemmPacking (8 x 8 register transposes of non-transposed A and of transposed B,
        // vector copies of transposed A) only move data: the product must not change by a single bit. Sizes:
        // full panels and a partial last panel, kc tails (k mod 8 ≠ 0), padded leading dimensions. Flipping
        // the process-wide switch cannot change other tests' results, only their speed.
        using var gemm = new ManagedGemm(isa);
        AssertSwitchKeepsBits(gemm, on => GemmPacking.VectorPacking = on, [(false, false), (false, true), (true, false), (true, true)],
            [(48, 32, 64), (97, 33, 261), (24, 16, 8), (25, 17, 15), (300, 40, 300), (256, 256, 256)], 1f, 0f, new Rng(77));
        // Panels of fewer than 8 rows (the 6x16 and 4x8 tiles) store each step of a transposed 8 x 8 block with one
        // 8-float store that runs into the next step, overwritten in turn. Steps a multiple of 8 (the panel's last
        // store must stop at its end) or not (the tail loop overwrites the last run), several panels, a partial one.
        AssertSwitchKeepsBits(gemm, on => GemmPacking.FullWidthStores = on, [(false, false), (false, true)],
            [(48, 32, 64), (97, 33, 261), (24, 16, 8), (13, 20, 16), (7, 9, 9), (300, 40, 300), (256, 256, 256)], 1f, 0f, new Rng(83));
    }

    // Managed_gemm_matches_single_thread_after_degree_changes lives in WorkerPoolTests: it changes the
    // process-wide degree, so it runs in the non-parallel WorkerPool collection.

    [Fact]
    public void Invalid_arguments_name_the_offending_shapes()
    {
        var gemm = GemmProviders.Managed;
        var a = new float[6]; var b = new float[6]; var c = new float[4];
        var e1 = Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 2, 2, 3, 1, a, 2, b, 2, 0, c, 2));
        Assert.Contains("leading dimension of A", e1.Message);
        Assert.Contains("[2, 3]", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, new float[3], 2));
        Assert.Contains("buffer C has 3 elements", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => gemm.Sgemm(false, false, -1, 2, 3, 1, a, 3, b, 2, 0, c, 2));
        Assert.Contains("m=-1", e3.Message);
    }

    public static IEnumerable<object[]> Transposes()
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                yield return [ta, tb];
    }

    [NativeBlasTheory]
    [MemberData(nameof(Transposes))]
    public void Native_matches_reference(bool ta, bool tb)
    {
        var native = GemmProviders.TryNative()!;
        ulong seed = 100;
        foreach (int m in Sizes)
        foreach (int n in new[] { 0, 1, 3, 33 })
        foreach (int k in new[] { 0, 1, 7, 64 })
            CheckAgainstReference(native, ta, tb, m, n, k, 1f, 0f, seed++);
        CheckAgainstReference(native, ta, tb, 37, 45, 29, 0.5f, 1.5f, 7);
        CheckAgainstReference(native, ta, tb, 37, 45, 29, 1f, 0f, 9, nanC: true);
    }

    [Fact]
    public void Provider_names_resolve_and_unknown_names_are_rejected()
    {
        Assert.StartsWith("managed", GemmProviders.FromName("managed").Name);
        Assert.Equal("reference", GemmProviders.FromName("reference").Name);
        Assert.NotNull(GemmProviders.FromName("auto"));
        var e = Assert.Throws<ArgumentException>(() => GemmProviders.FromName("cuda"));
        Assert.Contains("auto, managed, native", e.Message);
    }
}
