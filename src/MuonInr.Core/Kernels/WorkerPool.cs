namespace MuonInr.Kernels;

/// <summary>
/// A small fork–join pool of dedicated threads shared by the GEMM and the elementwise kernels, so the
/// process never runs more busy threads than cores (a second pool spinning beside this one would halve
/// the speed of whatever runs next). The calling thread takes part as worker 0. Chunk c always runs on
/// worker c mod <see cref="Degree"/>, so any per-chunk result is independent of timing. Workers spin
/// briefly after a job (the next kernel usually follows within microseconds), then block.
/// </summary>
public static class WorkerPool
{
    private static readonly object StartGate = new();
    // Spin budget of an idle worker before it blocks (~1 ms): optimizer steps interleave short serial
    // passes with small GEMMs, and a blocked worker costs tens of microseconds to wake for each one.
    private const int SpinIterations = 20_000;
    private static Worker[]? _workers;
    private static int _degree = DefaultDegree();
    private static Action<int>? _job;
    private static int _chunks;
    private static int _pending;
    private static long _generation;
    private static Exception? _failure;
    [ThreadStatic] private static bool _insideJob;

    /// <summary>Threads used (caller included). Defaults to MUONINR_THREADS or the processor count.</summary>
    public static int Degree
    {
        get => _degree;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (StartGate) _degree = value;
        }
    }

    private static int DefaultDegree()
    {
        var env = Environment.GetEnvironmentVariable("MUONINR_THREADS");
        return int.TryParse(env, out int n) && n > 0 ? n : Math.Max(1, Environment.ProcessorCount);
    }

    /// <summary>
    /// Runs <paramref name="body"/>(c) for c in [0, chunks) and returns when all are done. Nested calls
    /// (from inside a job) run serially on the calling thread. Exceptions are rethrown on the caller.
    /// </summary>
    public static void Run(int chunks, Action<int> body)
    {
        if (chunks <= 0) return;
        int degree = _degree;
        if (chunks == 1 || degree == 1 || _insideJob)
        {
            for (int c = 0; c < chunks; c++) body(c);
            return;
        }
        lock (StartGate)
        {
            EnsureWorkers(degree);
            _job = body;
            _chunks = chunks;
            _failure = null;
            Volatile.Write(ref _pending, degree - 1);
            Interlocked.Increment(ref _generation);
            foreach (var w in _workers!) w.Wake();
            _insideJob = true;
            try { Execute(0, degree, body); }
            catch (Exception e) { _failure ??= e; }
            finally { _insideJob = false; }
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            _job = null;
            if (_failure is { } f) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(f).Throw();
        }
    }

    private static void Execute(int worker, int degree, Action<int> body)
    {
        for (int c = worker; c < _chunks; c += degree) body(c);
    }

    private static void EnsureWorkers(int degree)
    {
        if (_workers is { } ws && ws.Length == degree - 1) return;
        if (_workers is not null) foreach (var w in _workers) w.Stop();
        _workers = new Worker[degree - 1];
        for (int i = 0; i < degree - 1; i++) _workers[i] = new Worker(i + 1, degree);
    }

    private sealed class Worker
    {
        private readonly int _index;
        private readonly int _degree;
        private readonly SemaphoreSlim _signal = new(0);
        private long _seen;
        private volatile bool _stopped;

        public Worker(int index, int degree)
        {
            _index = index; _degree = degree;
            _seen = Interlocked.Read(ref _generation);
            var t = new Thread(Loop) { IsBackground = true, Name = $"muoninr-worker-{index}" };
            t.Start();
        }

        public void Wake() => _signal.Release();

        public void Stop() { _stopped = true; _signal.Release(); }

        private void Loop()
        {
            while (!_stopped)
            {
                // Spin a little for the next job before blocking: kernels come in quick succession.
                long gen = Interlocked.Read(ref _generation);
                for (int i = 0; gen == _seen && i < SpinIterations && !_stopped; i++)
                {
                    Thread.SpinWait(20);
                    gen = Interlocked.Read(ref _generation);
                }
                if (gen == _seen) { _signal.Wait(); continue; }
                // Drain wake-ups of jobs already picked up by spinning.
                while (_signal.CurrentCount > 0) _signal.Wait(0);
                _seen = gen;
                var job = _job;
                if (job is null) continue;
                _insideJob = true;
                try { Execute(_index, _degree, job); }
                catch (Exception e) { _failure ??= e; }
                finally
                {
                    _insideJob = false;
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
    }
}
