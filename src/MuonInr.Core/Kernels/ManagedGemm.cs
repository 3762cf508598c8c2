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
/// The managed SGEMM: BLIS-style blocking (kc × nc panels of op(B) packed once and shared by all threads;
/// mc × kc blocks of op(A) packed per thread; a register tile of mr × nr accumulators), FMA microkernels
/// for AVX-512, AVX2 and 128-bit vectors, parallel over rows of C on <see cref="WorkerPool"/>, or over k
/// with per-thread partial products summed in a fixed order when C is small and k is long (the weight
/// gradient dW = dYᵀ·X of an INR layer). Every element of C is computed by the same sequence of
/// operations whatever the thread count, except in the k-split case where the partition is fixed by the
/// thread count, so results are bit-reproducible on one machine. Workspaces are native, 64-byte aligned,
/// allocated once and grown on demand: a steady-state call allocates nothing.
/// </summary>
public sealed unsafe class ManagedGemm : IGemmProvider, IDisposable
{
    private readonly delegate*<int, float*, float*, float*, int, float, float, void> _kernel;
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
    private readonly Action<int> _packSharedB, _computeRows, _computeKSplit, _reduceKSplit;

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
                _kc = 256; _mc = 192; _nc = 2048;
                break;
            case GemmKernelIsa.Avx2:
                if (!MicrokernelAvx2.IsSupported) throw new PlatformNotSupportedException("AVX2 with FMA is not supported on this CPU.");
                _kernel = &MicrokernelAvx2.Run; _mr = MicrokernelAvx2.MR; _nr = MicrokernelAvx2.NR;
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
        _computeKSplit = ComputeKSplitChunk;
        _reduceKSplit = ReduceKSplitChunk;
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
        {
            if (k == 0 || alpha == 0f) { ScaleC(pc, m, n, ldc, beta); return; }
            if (UseSkinny && SkinnyGemm.TryRun(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc)) return;
            lock (_gate)
            {
                _ta = transA; _tb = transB; _m = m; _n = n; _k = k; _lda = lda; _ldb = ldb; _ldc = ldc;
                _alpha = alpha; _beta = beta; _a = pa; _b = pb; _c = pc;
                try
                {
                    // Tiny products (Newton–Schulz on 32 x 32 hidden layers, a classifier's last layer) finish in
                    // microseconds: waking workers costs as much, and on a loaded machine far more (a worker
                    // waits for a time slice), so they run on the calling thread. Rows of C are computed the
                    // same way on any thread, so the result does not change.
                    int threads = (long)m * n * k < SerialWork ? 1 : Math.Min(WorkerPool.Degree, _perThread.Length);
                    if (threads > 1 && UseKSplit(m, n, k, threads)) RunKSplit(threads);
                    else RunRowSplit(threads);
                }
                finally { _a = _b = _c = null; }
            }
        }
    }

    /// <summary>Products with fewer multiply-adds than this (2¹⁸, ~10 µs of work) run on the calling thread.</summary>
    public const long SerialWork = 1L << 18;

    // Long k with a small C: splitting rows would leave each thread a sliver of C and re-read all of A
    // and B per thread; splitting k gives each thread half the data and a private copy of C.
    private bool UseKSplit(int m, int n, int k, int threads)
        => (long)m * n <= 1024L * 1024 && k >= 2048 && k >= 4L * Math.Max(m, n) && m < threads * 4 * _mc;

    private void RunRowSplit(int threads)
    {
        // Chunks: contiguous row ranges of C aligned to the register tile.
        int tiles = (_m + _mr - 1) / _mr;
        _chunks = Math.Max(1, Math.Min(threads, tiles));
        for (int jc = 0; jc < _n; jc += _nc)
        {
            _jc = jc; _ncCur = Math.Min(_nc, _n - jc);
            for (int pc = 0; pc < _k; pc += _kc)
            {
                _pc = pc; _kcCur = Math.Min(_kc, _k - pc);
                int panels = (_ncCur + _nr - 1) / _nr;
                Ensure(ref _sharedB, (long)panels * _nr * _kcCur);
                WorkerPool.Run(Math.Min(_chunks, panels), _packSharedB);
                WorkerPool.Run(_chunks, _computeRows);
            }
        }
    }

    private void PackSharedBChunk(int chunk)
    {
        int panels = (_ncCur + _nr - 1) / _nr;
        int parts = Math.Min(_chunks, panels);
        int p0 = panels * chunk / parts, p1 = panels * (chunk + 1) / parts;
        GemmPacking.PackB(_tb, _b, _ldb, _pc, _kcCur, _jc, _ncCur, _nr, _sharedB.Ptr, p0 * _nr, p1 * _nr);
    }

    private void ComputeRowsChunk(int chunk)
    {
        int tiles = (_m + _mr - 1) / _mr;
        int i0 = tiles * chunk / _chunks * _mr, i1 = Math.Min(_m, tiles * (chunk + 1) / _chunks * _mr);
        ref var ws = ref _perThread[chunk];
        Ensure(ref ws.A, (long)_mc * _kcCur);
        float betaEff = _pc == 0 ? _beta : 1f;
        for (int ic = i0; ic < i1; ic += _mc)
        {
            int mc = Math.Min(_mc, i1 - ic);
            GemmPacking.PackA(_ta, _a, _lda, ic, mc, _pc, _kcCur, _mr, ws.A.Ptr);
            MacroKernel(mc, _ncCur, _kcCur, ws.A.Ptr, _sharedB.Ptr, _c + (long)ic * _ldc + _jc, _ldc, _alpha, betaEff);
        }
    }

    private void RunKSplit(int threads)
    {
        _chunks = threads;
        WorkerPool.Run(threads, _computeKSplit);
        WorkerPool.Run(Math.Min(threads, _m), _reduceKSplit);
    }

    // Chunk t computes its share of k into a private C_t = alpha · op(A)[:, ks] · op(B)[ks, :].
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
        for (int pc = k0; pc < k1; pc += _kc)
        {
            int kc = Math.Min(_kc, k1 - pc);
            float betaEff = pc == k0 ? 0f : 1f;
            for (int jc = 0; jc < _n; jc += _nc)
            {
                int nc = Math.Min(_nc, _n - jc);
                GemmPacking.PackB(_tb, _b, _ldb, pc, kc, jc, nc, _nr, ws.B.Ptr, 0, nc);
                for (int ic = 0; ic < _m; ic += _mc)
                {
                    int mc = Math.Min(_mc, _m - ic);
                    GemmPacking.PackA(_ta, _a, _lda, ic, mc, pc, kc, _mr, ws.A.Ptr);
                    MacroKernel(mc, nc, kc, ws.A.Ptr, ws.B.Ptr, ws.C.Ptr + (long)ic * ldp + jc, ldp, _alpha, betaEff);
                }
            }
        }
    }

    // C = beta·C + Σ_t C_t, rows split across threads, partials added in thread order.
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

    // C[0:mc, 0:nc] (row stride ldc) = alpha · Ap · Bp + beta · C, tile by tile.
    private void MacroKernel(int mc, int nc, int kc, float* ap, float* bp, float* c, int ldc, float alpha, float beta)
    {
        int mr = _mr, nr = _nr;
        float* tile = stackalloc float[MicrokernelAvx512.MR * MicrokernelAvx512.NR];
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* bPanel = bp + (long)jr * kc;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int rows = Math.Min(mr, mc - ir);
                float* aPanel = ap + (long)ir * kc;
                float* cTile = c + (long)ir * ldc + jr;
                if (rows == mr && cols == nr)
                {
                    _kernel(kc, aPanel, bPanel, cTile, ldc, alpha, beta);
                }
                else
                {
                    // Edge tile: full tile into scratch, then merge the valid part with beta's semantics.
                    _kernel(kc, aPanel, bPanel, tile, nr, alpha, 0f);
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
