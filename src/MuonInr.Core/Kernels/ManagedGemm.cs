using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MuonInr.Kernels;

/// <summary>Register-tile instruction set of <see cref="ManagedGemm"/>.</summary>
public enum GemmKernelIsa
{
    /// <summary>The widest supported: AVX-512, else AVX2+FMA, else 128-bit vectors.</summary>
    Auto,
    /// <summary>12x32 tile on 512-bit vectors.</summary>
    Avx512,
    /// <summary>6x16 tile on 256-bit vectors with FMA.</summary>
    Avx2,
    /// <summary>4x8 tile on 128-bit vectors (portable fallback).</summary>
    Vector128,
}

/// <summary>
/// The managed SGEMM: BLIS-style blocking (kc × nc panels of op(B), packed by each thread for its own rows when
/// each has a block of rows or more, so that threads never wait for each other inside a product, else packed once
/// and shared; mc × kc blocks of op(A) packed per thread; a register tile of mr × nr accumulators, and a
/// half-width one for a narrow last column panel), FMA microkernels
/// for AVX-512, AVX2 and 128-bit vectors, parallel over rows of C on <see cref="WorkerPool"/>, or over k
/// with per-thread partial products summed in a fixed order when C is small and k is long (the weight
/// gradient dW = dYᵀ·X of an INR layer). Where a source row already holds a micro-panel's step (A transposed,
/// B not), the first register tile that reads the panel packs it on the fly instead of a separate pass. Every
/// element of C is computed by the same sequence of operations whatever the thread count, except in the k-split case where the partition is fixed by the
/// thread count, so results are bit-reproducible on one machine. Workspaces are native, 64-byte aligned,
/// allocated once and grown on demand: a steady-state call allocates nothing.
/// </summary>
public sealed unsafe class ManagedGemm : IGemmProvider, IDisposable
{
    private readonly delegate*<int, float*, float*, float*, int, float, float, void> _kernel;
    // The tile with A (transposed) or B (not transposed) packed on the fly from its source; null where the ISA has none.
    private readonly delegate*<int, float*, nint, nint, float*, float*, float*, int, float, float, void> _kernelPackA;
    private readonly delegate*<int, float*, float*, nint, nint, float*, float*, int, float, float, void> _kernelPackB;
    // The tile for a last column panel at most half of NR wide (MicrokernelNarrow); null for the 128-bit tile.
    private readonly delegate*<int, float*, int, int, float*, int, float*, int, float, void> _kernelNarrow;
    private readonly int _mr, _nr, _kc, _mc, _nc;
    private readonly Workspace[] _perThread;
    private NativeBuffer _sharedB;
    private readonly object _gate = new();

    // Arguments of the call in flight, read by the parallel chunks (calls are serialised by _gate).
    private bool _ta, _tb;
    private int _m, _n, _k, _lda, _ldb, _ldc;
    private float _alpha, _beta;
    private float* _a, _b, _c;
    private int _pc, _kcCur, _jc, _ncCur, _chunks;
    // Row split: whether the tiles pack A (transposed) and B (not transposed, one chunk only) on the fly.
    private bool _fuseRowsA, _fuseRowsB;
    // Strided batch (1 for a plain call) and the lower-triangle mode of SYRK.
    private int _batch;
    private long _strideA, _strideB, _strideC;
    private bool _lower;
    // First global row tile (over batch x row tiles) of each chunk, and one past the last.
    private readonly int[] _chunkTile = new int[65];
    private readonly Action<int> _packSharedB, _computeRows, _computeRowsPrivateB, _computeKSplit, _reduceKSplit, _mirrorRows;

    /// <summary>Creates the provider with the widest available (or the requested) instruction set.</summary>
    public ManagedGemm(GemmKernelIsa isa = GemmKernelIsa.Auto)
    {
        if (isa == GemmKernelIsa.Auto)
            isa = MicrokernelAvx512.IsSupported ? GemmKernelIsa.Avx512 : MicrokernelAvx2.IsSupported ? GemmKernelIsa.Avx2 : GemmKernelIsa.Vector128;
        switch (isa)
        {
            case GemmKernelIsa.Avx512:
                if (!MicrokernelAvx512.IsSupported) throw new PlatformNotSupportedException("AVX-512 is not supported on this CPU.");
                _kernel = &MicrokernelAvx512.Run; _mr = MicrokernelAvx512.MR; _nr = MicrokernelAvx512.NR;
                _kernelPackA = &MicrokernelAvx512.RunPackA; _kernelPackB = &MicrokernelAvx512.RunPackB;
                _kernelNarrow = &MicrokernelNarrow.Run<Simd512>;
                _kc = 256; _mc = 192; _nc = 2048;
                break;
            case GemmKernelIsa.Avx2:
                if (!MicrokernelAvx2.IsSupported) throw new PlatformNotSupportedException("AVX2 with FMA is not supported on this CPU.");
                _kernel = &MicrokernelAvx2.Run; _mr = MicrokernelAvx2.MR; _nr = MicrokernelAvx2.NR;
                _kernelPackA = &MicrokernelAvx2.RunPackA; _kernelPackB = &MicrokernelAvx2.RunPackB;
                _kernelNarrow = &MicrokernelNarrow.Run<Simd256>;
                _kc = 256; _mc = 96; _nc = 2048;
                break;
            default:
                if (!MicrokernelVector128.IsSupported) throw new PlatformNotSupportedException("128-bit vectors are not accelerated on this CPU.");
                _kernel = &MicrokernelVector128.Run; _mr = MicrokernelVector128.MR; _nr = MicrokernelVector128.NR;
                _kc = 256; _mc = 64; _nc = 1024;
                break;
        }
        Isa = isa;
        _perThread = new Workspace[64];
        _packSharedB = PackSharedBChunk;
        _computeRows = ComputeRowsChunk;
        _computeRowsPrivateB = ComputeRowsPrivateBChunk;
        _computeKSplit = ComputeKSplitChunk;
        _reduceKSplit = ReduceKSplitChunk;
        _mirrorRows = MirrorRowsChunk;
    }

    /// <summary>Route products with a dimension ≤ 4 and a long other side to the streaming kernels (default on).</summary>
    public bool UseSkinny { get; set; } = true;

    /// <summary>The instruction set of the register tile in use.</summary>
    public GemmKernelIsa Isa { get; }

    /// <inheritdoc />
    public string Name => Isa switch
    {
        GemmKernelIsa.Avx512 => "managed-avx512",
        GemmKernelIsa.Avx2 => "managed-avx2",
        _ => "managed-vector128",
    };

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmArguments.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            Run(transA, transB, m, n, k, alpha, pa, lda, 0, pb, ldb, 0, beta, pc, ldc, 0, 1, lower: false);
    }

    /// <summary>
    /// <paramref name="batch"/> products of one shape, C_i = alpha · op(A_i) · op(B_i) + beta · C_i, with
    /// A_i = a[i·strideA ..] and likewise B_i, C_i, in one parallel pass: the row tiles of all products are
    /// shared out together, so small products (Newton–Schulz on a network's hidden layers) pay one fork–join
    /// per panel instead of one per matrix. Each C_i is bit-identical to <see cref="Sgemm"/> on it alone.
    /// </summary>
    public void SgemmStridedBatched(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        GemmArguments.ValidateBatch(transA, transB, m, n, k, a.Length, lda, strideA, b.Length, ldb, strideB, c.Length, ldc, strideC, batch);
        if (m == 0 || n == 0 || batch == 0) return;
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pc = c)
            Run(transA, transB, m, n, k, alpha, pa, lda, strideA, pb, ldb, strideB, beta, pc, ldc, strideC, batch, lower: false);
    }

    /// <summary>
    /// Symmetric rank-k update C_i = alpha · X_i · X_iᵀ + beta · C_i (X_i [n, k], C_i [n, n]) for a strided
    /// batch: only the register tiles that touch the lower triangle are computed (about half the work of
    /// <see cref="Sgemm"/>), then the lower triangle is mirrored. Only the lower triangle of C is read when
    /// beta ≠ 0 (pass a symmetric C). The lower triangle equals what <see cref="Sgemm"/>(false, true, …)
    /// computes, bit for bit (X·Xᵀ's (i, j) and (j, i) run the same multiply–adds; only the merging of edge
    /// tiles and of later k blocks rounds differently, so the full product is not always exactly symmetric).
    /// </summary>
    public void SsyrkStridedBatched(int n, int k, float alpha, ReadOnlySpan<float> x, int ldx, long strideX,
        float beta, Span<float> c, int ldc, long strideC, int batch)
    {
        GemmArguments.ValidateBatch(false, true, n, n, k, x.Length, ldx, strideX, x.Length, ldx, strideX, c.Length, ldc, strideC, batch);
        if (n == 0 || batch == 0) return;
        fixed (float* px = x) fixed (float* pc = c)
        {
            Run(false, true, n, n, k, alpha, px, ldx, strideX, px, ldx, strideX, beta, pc, ldc, strideC, batch, lower: true);
        }
    }

    // The driver and packing methods are compiled fully optimised at their first call ([AggressiveOptimization],
    // like the microkernels): with tiered compilation they start unoptimised and, when a process runs many
    // different methods, stay so for hundreds of calls (one thread, NN 256³: 67 against 90 GFLOP/s).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        float* pa, int lda, long strideA, float* pb, int ldb, long strideB, float beta, float* pc, int ldc, long strideC, int batch, bool lower)
    {
        if (k == 0 || alpha == 0f)
        {
            for (int i = 0; i < batch; i++)
            {
                ScaleC(pc + i * strideC, m, n, ldc, beta);
                if (lower) SymmetricMirror.LowerToUpper(pc + i * strideC, n, ldc);
            }
            return;
        }
        // The streaming kernels compute all of C (in lower mode the mirror afterwards rewrites the same values).
        // They choose by shape alone, so if they take the first product of a batch they take every one, and a
        // batched product stays bit-identical to the same product alone.
        if (UseSkinny && SkinnyGemm.TryRun(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc))
        {
            for (int i = 1; i < batch; i++)
                SkinnyGemm.TryRun(transA, transB, m, n, k, alpha, pa + i * strideA, lda, pb + i * strideB, ldb, beta, pc + i * strideC, ldc);
            if (lower) for (int i = 0; i < batch; i++) SymmetricMirror.LowerToUpper(pc + i * strideC, n, ldc);
            return;
        }
        lock (_gate)
        {
            _ta = transA; _tb = transB; _m = m; _n = n; _k = k; _lda = lda; _ldb = ldb; _ldc = ldc;
            _alpha = alpha; _beta = beta; _a = pa; _b = pb; _c = pc;
            _batch = batch; _strideA = strideA; _strideB = strideB; _strideC = strideC; _lower = lower;
            try
            {
                // Tiny products (Newton–Schulz on 32 x 32 hidden layers, a classifier's last layer) finish in
                // microseconds: waking workers costs as much, and on a loaded machine far more (a worker
                // waits for a time slice), so they run on the calling thread. Rows of C are computed the
                // same way on any thread, so the result does not change.
                long work = (long)m * n * k * batch / (lower ? 2 : 1);
                int threads = work < SerialWork ? 1 : Math.Min(WorkerPool.Degree, _perThread.Length);
                // The k-split computes all of C (in lower mode too: the mirror rewrites equal values).
                if (threads > 1 && batch == 1 && UseKSplit(m, n, k, threads)) RunKSplit(threads);
                else RunRowSplit(threads);
                if (lower) Mirror(threads);
            }
            finally { _a = _b = _c = null; }
        }
    }

    // Off: A and B are packed in separate passes even where the tiles could pack them on the fly (A/B measurements).
    internal static bool FusedPacking = true;
    // Off: every row split shares one packed B between its chunks (a fork–join to pack it per k block).
    internal static bool PrivateBPanels = true;
    // Off: a last column panel at most NR/2 wide runs the full register tile (A/B measurements; same bits).
    internal static bool NarrowTailTile = true;

    /// <summary>Products with fewer multiply-adds than this (2¹⁸, ~10 µs of work) run on the calling thread.</summary>
    public const long SerialWork = 1L << 18;

    // Long k with a small C: splitting rows would leave each thread a sliver of C and re-read all of A
    // and B per thread; splitting k gives each thread half the data and a private copy of C.
    private bool UseKSplit(int m, int n, int k, int threads)
        => (long)m * n <= 1024L * 1024 && k >= 2048 && k >= 4L * Math.Max(m, n) && m < threads * 4 * _mc;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunRowSplit(int threads)
    {
        // Chunks: contiguous ranges of row tiles of C (over the whole batch), aligned to the register tile.
        int tiles = (_m + _mr - 1) / _mr;
        long all = (long)tiles * _batch;
        _chunks = (int)Math.Max(1, Math.Min(threads, all));
        SplitRowTiles(tiles);
        // Packing on the fly (see RunPackA) where each tile's operand is read by this thread first: A's row panels
        // always are; B's panels are, where each chunk packs its own copy of B.
        _fuseRowsA = _ta && !_lower && FusedPacking && _kernelPackA != null;
        if (UsePrivateB())
        {
            _fuseRowsB = !_tb && FusedPacking && _kernelPackB != null;
            WorkerPool.Run(_chunks, _computeRowsPrivateB);
            return;
        }
        _fuseRowsB = false;
        for (int jc = 0; jc < _n; jc += _nc)
        {
            _jc = jc; _ncCur = Math.Min(_nc, _n - jc);
            int kStep = KStep();
            for (int pc = 0; pc < _k; pc += kStep)
            {
                _pc = pc; _kcCur = Math.Min(kStep, _k - pc);
                int panels = (_ncCur + _nr - 1) / _nr;
                Ensure(ref _sharedB, (long)_batch * panels * _nr * _kcCur);
                WorkerPool.Run((int)Math.Min(_chunks, (long)panels * _batch), _packSharedB);
                WorkerPool.Run(_chunks, _computeRows);
            }
        }
    }

    // Each chunk packs its own copy of B and runs the whole loop nest over its rows: one fork–join per call
    // instead of two per k block, no thread waiting for the slower one at every block, and B packed on the fly
    // by the first tile that reads each panel. It costs (chunks − 1) extra packings of B (of one B_i in a
    // batch), small beside the multiply-adds when every chunk has at least a block of rows (mc) per product.
    // Lower mode keeps the shared B: its tiles stop at the diagonal, so no tile would pack the panels right of it.
    private bool UsePrivateB()
        => PrivateBPanels && !_lower && (_chunks == 1 || (long)_m * _batch >= (long)_chunks * _mc);

    // k blocks of equal depth, at most 1.25 kc: k = 257 runs as one block, not as 129 + 128 (or 256 + 1) that
    // pay a second pass of packing and fork–joins; 2048 runs as 8 blocks of 256. A micro-panel of B at
    // 1.25 kc still fits L1 beside A's (AVX2: 16 x 320 floats, 20 KB).
    private int KStep()
    {
        int kBlocks = Math.Max(1, (_k - _kc / 4 + _kc - 1) / _kc);
        return (_k + kBlocks - 1) / kBlocks;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeRowsPrivateBChunk(int chunk)
    {
        int tiles = (_m + _mr - 1) / _mr;
        int g0 = _chunkTile[chunk], g1 = _chunkTile[chunk + 1];
        if (g0 >= g1) return;
        ref var ws = ref _perThread[chunk];
        int kStep = KStep();
        Ensure(ref ws.A, (long)_mc * kStep);
        Ensure(ref ws.B, (long)((Math.Min(_nc, _n) + _nr - 1) / _nr) * _nr * kStep);
        for (int g = g0; g < g1;)
        {
            g = Segment(g, g1, tiles, out int bi, out int i0, out int i1);
            float* a = _a + bi * _strideA, b = _b + bi * _strideB, c = _c + bi * _strideC;
            for (int jc = 0; jc < _n; jc += _nc)
            {
                int nc = Math.Min(_nc, _n - jc);
                for (int pc = 0; pc < _k; pc += kStep)
                {
                    int kc = Math.Min(kStep, _k - pc);
                    bool next = pc + kc < _k;
                    float betaEff = pc == 0 ? _beta : 1f;
                    if (!_fuseRowsB) GemmPacking.PackB(_tb, b, _ldb, pc, kc, jc, nc, _nr, ws.B.Ptr, 0, nc, prefetchNext: next);
                    for (int ic = i0; ic < i1; ic += _mc)
                    {
                        int mc = Math.Min(_mc, i1 - ic);
                        var fused = FusedSources.Of(_fuseRowsA ? a : null, _lda, _fuseRowsB && ic == i0 ? b : null, _ldb, pc, kc, ic, jc, next);
                        if (!_fuseRowsA) GemmPacking.PackA(_ta, a, _lda, ic, mc, pc, kc, _mr, ws.A.Ptr, prefetchNext: next);
                        MacroKernel(mc, nc, kc, ws.A.Ptr, ws.B.Ptr, c + (long)ic * _ldc + jc, _ldc, _alpha, betaEff, false, 0, fused);
                    }
                }
            }
        }
    }

    // The part of a chunk's row tiles g.. g1 (numbered over batch x tiles) in one product: product bi, rows i0..i1
    // of its C; returns the first tile after it.
    private int Segment(int g, int g1, int tiles, out int bi, out int i0, out int i1)
    {
        bi = g / tiles;
        int t0 = g % tiles, t1 = Math.Min(tiles, t0 + (g1 - g));
        i0 = t0 * _mr; i1 = Math.Min(_m, t1 * _mr);
        return g + t1 - t0;
    }

    // Chunk boundaries over the batch's row tiles. A full product gives every chunk the same number of tiles;
    // in lower mode a row tile's work grows with its row (the columns up to the diagonal), so the boundaries
    // balance that work instead. Any split gives the same bits: it only decides which thread computes a tile.
    private void SplitRowTiles(int tiles)
    {
        int all = tiles * _batch;
        _chunkTile[0] = 0;
        if (!_lower)
        {
            for (int t = 1; t <= _chunks; t++) _chunkTile[t] = (int)((long)all * t / _chunks);
            return;
        }
        long perMatrix = 0;
        for (int t = 0; t < tiles; t++) perMatrix += Math.Min(_n, (long)(t + 1) * _mr);
        long total = perMatrix * _batch, done = 0;
        int chunk = 1;
        for (int g = 0; g < all && chunk < _chunks; g++)
        {
            done += Math.Min(_n, (long)(g % tiles + 1) * _mr);
            while (chunk < _chunks && done * _chunks >= total * chunk) _chunkTile[chunk++] = g + 1;
        }
        while (chunk <= _chunks) _chunkTile[chunk++] = all;
    }

    // Lower mode, after every tile is done: the upper triangles from the lower ones, row blocks shared out
    // between the threads by their cost (block J of an n-wide C copies about n/8 − J 8x8 blocks).
    private void Mirror(int threads)
    {
        int blocks = SymmetricMirror.Blocks(_n), all = blocks * _batch;
        _chunks = Math.Max(1, Math.Min(threads, all));
        if (_chunks == 1)
        {
            for (int i = 0; i < _batch; i++) SymmetricMirror.LowerToUpper(_c + i * _strideC, _n, _ldc);
            return;
        }
        long perMatrix = (long)blocks * (blocks + 1) / 2, total = perMatrix * _batch, done = 0;
        int chunk = 1;
        _chunkTile[0] = 0;
        for (int g = 0; g < all && chunk < _chunks; g++)
        {
            done += blocks - g % blocks;
            while (chunk < _chunks && done * _chunks >= total * chunk) _chunkTile[chunk++] = g + 1;
        }
        while (chunk <= _chunks) _chunkTile[chunk++] = all;
        WorkerPool.Run(_chunks, _mirrorRows);
    }

    private void MirrorRowsChunk(int chunk)
    {
        int blocks = SymmetricMirror.Blocks(_n);
        for (int g = _chunkTile[chunk], g1 = _chunkTile[chunk + 1]; g < g1;)
        {
            int bi = g / blocks, j0 = g % blocks, j1 = Math.Min(blocks, j0 + (g1 - g));
            SymmetricMirror.LowerToUpperRows(_c + bi * _strideC, _n, _ldc, j0, j1);
            g += j1 - j0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackSharedBChunk(int chunk)
    {
        int panels = (_ncCur + _nr - 1) / _nr;
        long all = (long)panels * _batch;
        int parts = (int)Math.Min(_chunks, all);
        long q0 = all * chunk / parts, q1 = all * (chunk + 1) / parts;
        long panelFloats = (long)_nr * _kcCur;
        for (long q = q0; q < q1;)
        {
            int bi = (int)(q / panels), p0 = (int)(q % panels);
            int p1 = (int)Math.Min(panels, p0 + (q1 - q));
            GemmPacking.PackB(_tb, _b + bi * _strideB, _ldb, _pc, _kcCur, _jc, _ncCur, _nr,
                _sharedB.Ptr + bi * panels * panelFloats, p0 * _nr, p1 * _nr, prefetchNext: _pc + _kcCur < _k);
            q += p1 - p0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeRowsChunk(int chunk)
    {
        int tiles = (_m + _mr - 1) / _mr;
        int g0 = _chunkTile[chunk], g1 = _chunkTile[chunk + 1];
        if (g0 >= g1) return;
        ref var ws = ref _perThread[chunk];
        Ensure(ref ws.A, (long)_mc * _kcCur);
        float betaEff = _pc == 0 ? _beta : 1f;
        int panels = (_ncCur + _nr - 1) / _nr;
        for (int g = g0; g < g1;)
        {
            g = Segment(g, g1, tiles, out int bi, out int i0, out int i1);
            float* a = _a + bi * _strideA, c = _c + bi * _strideC, bp = _sharedB.Ptr + (long)bi * panels * _nr * _kcCur;
            for (int ic = i0; ic < i1; ic += _mc)
            {
                int mc = Math.Min(_mc, i1 - ic);
                bool next = _pc + _kcCur < _k;
                var fused = FusedSources.Of(_fuseRowsA ? a : null, _lda, null, _ldb, _pc, _kcCur, ic, _jc, next);
                if (!_fuseRowsA) GemmPacking.PackA(_ta, a, _lda, ic, mc, _pc, _kcCur, _mr, ws.A.Ptr, prefetchNext: next);
                MacroKernel(mc, _ncCur, _kcCur, ws.A.Ptr, bp, c + (long)ic * _ldc + _jc, _ldc, _alpha, betaEff, _lower, ic - _jc, fused);
            }
        }
    }

    private void RunKSplit(int threads)
    {
        _chunks = threads;
        WorkerPool.Run(threads, _computeKSplit);
        WorkerPool.Run(Math.Min(threads, _m), _reduceKSplit);
    }

    // Chunk t computes its share of k into a private C_t = alpha · op(A)[:, ks] · op(B)[ks, :].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ComputeKSplitChunk(int chunk)
    {
        int k0 = (int)((long)_k * chunk / _chunks), k1 = (int)((long)_k * (chunk + 1) / _chunks);
        ref var ws = ref _perThread[chunk];
        int ldp = _n;
        Ensure(ref ws.C, (long)_m * ldp);
        if (k1 == k0) { new Span<float>(ws.C.Ptr, _m * ldp).Clear(); return; }
        Ensure(ref ws.A, (long)_mc * _kc);
        int nPanels = (_n + _nr - 1) / _nr;
        Ensure(ref ws.B, (long)nPanels * _nr * _kc);
        // The weight gradient (A transposed, B not) packs twice as many floats per multiply-add as the forward
        // product; where the tile can, the first tile to read a micro-panel packs it (see RunPackA).
        bool fuseA = _ta && FusedPacking && _kernelPackA != null, fuseB = !_tb && FusedPacking && _kernelPackB != null;
        for (int pc = k0; pc < k1; pc += _kc)
        {
            int kc = Math.Min(_kc, k1 - pc);
            float betaEff = pc == k0 ? 0f : 1f;
            bool next = pc + kc < k1;
            for (int jc = 0; jc < _n; jc += _nc)
            {
                int nc = Math.Min(_nc, _n - jc);
                if (!fuseB) GemmPacking.PackB(_tb, _b, _ldb, pc, kc, jc, nc, _nr, ws.B.Ptr, 0, nc, prefetchNext: next);
                for (int ic = 0; ic < _m; ic += _mc)
                {
                    int mc = Math.Min(_mc, _m - ic);
                    var fused = FusedSources.Of(fuseA ? _a : null, _lda, fuseB && ic == 0 ? _b : null, _ldb, pc, kc, ic, jc, next);
                    if (!fuseA) GemmPacking.PackA(_ta, _a, _lda, ic, mc, pc, kc, _mr, ws.A.Ptr, prefetchNext: next);
                    MacroKernel(mc, nc, kc, ws.A.Ptr, ws.B.Ptr, ws.C.Ptr + (long)ic * ldp + jc, ldp, _alpha, betaEff, false, 0, fused);
                }
            }
        }
    }

    // Unpacked sources of a block whose micro-panels the macro-kernel packs as it first reads them: A = &A[p0, i0]
    // for a transposed A (op(A)[i0 + i, p0 + p] = A[p·lda + i] from there) and B = &B[p0, j0] for a B not
    // transposed (op(B)[p0 + p, j0 + j] = B[p·ldb + j]); null: that operand is already packed. ANext, BNext:
    // offsets of the next k block's rows (0 when none), prefetched into L2 meanwhile.
    private struct FusedSources
    {
        public float* A, B;
        public nint Lda, ANext, Ldb, BNext;

        // The block at k offset p0 (depth kc), rows i0 and columns j0 of a (or null) and b (or null).
        public static FusedSources Of(float* a, int lda, float* b, int ldb, int p0, int kc, int i0, int j0, bool nextBlock) => new()
        {
            A = a == null ? null : a + (long)p0 * lda + i0, Lda = lda, ANext = nextBlock ? (nint)kc * lda : 0,
            B = b == null ? null : b + (long)p0 * ldb + j0, Ldb = ldb, BNext = nextBlock ? (nint)kc * ldb : 0,
        };
    }

    // C = beta·C + Σ_t C_t, rows split across threads, partials added in thread order.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReduceKSplitChunk(int chunk)
    {
        int parts = Math.Min(_chunks, _m);
        int r0 = _m * chunk / parts, r1 = _m * (chunk + 1) / parts;
        for (int i = r0; i < r1; i++)
        {
            var dst = new Span<float>(_c + (long)i * _ldc, _n);
            var first = new ReadOnlySpan<float>(_perThread[0].C.Ptr + (long)i * _n, _n);
            if (_beta == 0f) first.CopyTo(dst);
            else TensorPrimitives.MultiplyAdd(dst, _beta, first, dst);
            for (int t = 1; t < _chunks; t++)
                TensorPrimitives.Add(dst, new ReadOnlySpan<float>(_perThread[t].C.Ptr + (long)i * _n, _n), dst);
        }
    }

    // C[0:mc, 0:nc] (row stride ldc) = alpha · Ap · Bp + beta · C, tile by tile. With lowerOnly, tiles whose
    // every element lies above the diagonal of the whole C are skipped; rowOffset is (row of this block's
    // first row) − (column of its first column) in the whole C, so element (ir, jr) is on the diagonal when
    // ir + rowOffset == jr.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MacroKernel(int mc, int nc, int kc, float* ap, float* bp, float* c, int ldc, float alpha, float beta, bool lowerOnly, int rowOffset,
        FusedSources fused = default)
    {
        int mr = _mr, nr = _nr;
        float* tile = stackalloc float[MicrokernelAvx512.MR * MicrokernelAvx512.NR];
        for (int jr = 0; jr < nc; jr += nr)
        {
            if (lowerOnly && jr > mc - 1 + rowOffset) break;   // no row of this block reaches column jr
            int cols = Math.Min(nr, nc - jr);
            float* bPanel = bp + (long)jr * kc;
            // B on the fly: the first panel (its tiles also pack A) and a partial one are packed ahead.
            bool packB = fused.B != null && jr > 0 && cols == nr;
            if (fused.B != null && !packB)
                GemmPacking.PackB(false, fused.B, (int)fused.Ldb, 0, kc, 0, nc, nr, bp, jr, jr + nr, prefetchNext: fused.BNext != 0);
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                if (lowerOnly && jr > ir + rows - 1 + rowOffset) continue;
                float* aPanel = ap + (long)ir * kc;
                float* cTile = c + (long)ir * ldc + jr;
                bool full = rows == mr && cols == nr;
                // A on the fly on the first pass over the block's row panels; a partial panel is packed ahead.
                bool packA = fused.A != null && jr == 0;
                if (packA && !full)
                {
                    GemmPacking.PackA(true, fused.A, (int)fused.Lda, ir, rows, 0, kc, mr, aPanel, prefetchNext: fused.ANext != 0);
                    packA = false;
                }
                if (packB && ir == 0 && !full)
                {
                    GemmPacking.PackB(false, fused.B, (int)fused.Ldb, 0, kc, 0, nc, nr, bp, jr, jr + nr, prefetchNext: fused.BNext != 0);
                    packB = false;
                }
                if (full)
                {
                    if (packA) _kernelPackA(kc, fused.A + ir, fused.Lda, fused.ANext, aPanel, bPanel, cTile, ldc, alpha, beta);
                    else if (packB && ir == 0) _kernelPackB(kc, aPanel, fused.B + jr, fused.Ldb, fused.BNext, bPanel, cTile, ldc, alpha, beta);
                    else _kernel(kc, aPanel, bPanel, cTile, ldc, alpha, beta);
                }
                else
                {
                    // Edge tile: full tile into scratch, then merge the valid part with beta's semantics.
                    if (NarrowTailTile && cols <= nr / 2 && _kernelNarrow != null) _kernelNarrow(kc, aPanel, mr, rows, bPanel, nr, tile, nr, alpha);
                    else _kernel(kc, aPanel, bPanel, tile, nr, alpha, 0f);
                    for (int r = 0; r < rows; r++)
                    {
                        float* src = tile + r * nr; float* dst = cTile + (long)r * ldc;
                        if (beta == 0f) for (int j = 0; j < cols; j++) dst[j] = src[j];
                        else for (int j = 0; j < cols; j++) dst[j] = src[j] + beta * dst[j];
                    }
                }
            }
        }
    }

    private static void ScaleC(float* c, int m, int n, int ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private static void Ensure(ref NativeBuffer buffer, long floats)
    {
        if (buffer.Length >= floats) return;
        buffer.Free();
        long size = Math.Max(floats, buffer.Length * 2);
        buffer = new NativeBuffer((float*)NativeMemory.AlignedAlloc((nuint)(size * sizeof(float)), 64), size);
    }

    /// <summary>Frees the native workspaces.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            for (int i = 0; i < _perThread.Length; i++) { _perThread[i].A.Free(); _perThread[i].B.Free(); _perThread[i].C.Free(); }
            _sharedB.Free();
        }
    }

    /// <summary>Finaliser: the workspaces are native memory.</summary>
    ~ManagedGemm() => Dispose();

    private struct NativeBuffer(float* ptr, long length)
    {
        public float* Ptr = ptr;
        public long Length = length;

        public void Free()
        {
            if (Ptr != null) NativeMemory.AlignedFree(Ptr);
            Ptr = null; Length = 0;
        }
    }

    private struct Workspace
    {
        public NativeBuffer A, B, C;
    }
}
