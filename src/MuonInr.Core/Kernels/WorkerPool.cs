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
    private static readonly ThreadSetting Setting = ReadSetting(Environment.GetEnvironmentVariable(ThreadsVariable), MaxDegree);
    private static int _degree = Setting.Degree;
    private static int _requested = Setting.Requested ?? 0; // 0: nothing asked for (an int reads atomically)
    private static Action<int>? _job;
    private static int _chunks;
    private static int _pending;
    private static long _generation;
    private static Exception? _failure;
    [ThreadStatic] private static bool _insideJob;

    /// <summary>The environment variable that sets the default <see cref="Degree"/>.</summary>
    public const string ThreadsVariable = "MUONINR_THREADS";

    /// <summary>
    /// The most threads the pool runs: <see cref="Environment.ProcessorCount"/> (which honours the
    /// process's affinity and container limits). Spinning workers beyond it starve each other: one training
    /// step took 48 s at 32 threads on 2 cores against 3 s at 2.
    /// </summary>
    public static int MaxDegree => Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// Threads used (caller included). Defaults to <c>MUONINR_THREADS</c> or the processor count, capped
    /// at <see cref="MaxDegree"/>. Setting it: values below 1 throw <see cref="ArgumentOutOfRangeException"/>;
    /// values above <see cref="MaxDegree"/> are capped to it (see <see cref="RequestedDegree"/> and
    /// <see cref="DegreeCapped"/>). Workers of the previous degree are stopped and joined before the next job
    /// runs, so a retired worker never runs a later job.
    /// </summary>
    public static int Degree
    {
        get => _degree;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            if (_insideJob)
            {
                // From inside a job: the job's caller holds StartGate until every worker is done (taking
                // it here could deadlock), and the workers are busy; the next Run retires them.
                _requested = value;
                _degree = Math.Min(value, MaxDegree);
                return;
            }
            lock (StartGate)
            {
                _requested = value;
                _degree = Math.Min(value, MaxDegree);
                if (_workers is { } ws && ws.Length != _degree - 1) RetireWorkers();
            }
        }
    }

    /// <summary>
    /// The degree last asked for, before capping: the value last assigned to <see cref="Degree"/>, else a
    /// valid <c>MUONINR_THREADS</c>, else null (the processor count was used).
    /// </summary>
    public static int? RequestedDegree => _requested > 0 ? _requested : null;

    /// <summary>True when <see cref="RequestedDegree"/> exceeded <see cref="MaxDegree"/> and <see cref="Degree"/> was capped.</summary>
    public static bool DegreeCapped => _requested > _degree;

    /// <summary>
    /// One line explaining why <c>MUONINR_THREADS</c> was ignored (set but not a positive integer; the pool
    /// then uses the processor count), or null when it is unset or valid. Core never writes to the console:
    /// the command line reports this line (together with <see cref="ConfigurationMessage"/>).
    /// </summary>
    public static string? ConfigurationError => Setting.Error;

    /// <summary>
    /// One line for the user about the thread configuration, or null when there is nothing to say:
    /// <see cref="ConfigurationError"/> if <c>MUONINR_THREADS</c> is invalid, else a note that the requested
    /// degree was capped at the processor count (<see cref="DegreeCapped"/>).
    /// </summary>
    public static string? ConfigurationMessage
    {
        get
        {
            if (Setting.Error is { } e) return e;
            int degree = _degree;
            int r = _requested;
            return r > degree
                ? $"{(r == Setting.Requested ? ThreadsVariable + "=" + r : r + " threads")} exceeds the {MaxDegree} processors; using {degree} threads (more spinning workers than cores starve each other)."
                : null;
        }
    }

    /// <summary>A parsed thread setting: the degree to use, the value asked for, and why it was rejected.</summary>
    internal readonly record struct ThreadSetting(int Degree, int? Requested, string? Error);

    /// <summary>
    /// Interprets a <c>MUONINR_THREADS</c> value: unset or blank gives <paramref name="processors"/>; a
    /// positive integer gives itself capped at <paramref name="processors"/>; anything else gives
    /// <paramref name="processors"/> with an error line.
    /// </summary>
    internal static ThreadSetting ReadSetting(string? value, int processors)
    {
        if (string.IsNullOrWhiteSpace(value)) return new(processors, null, null);
        string v = value.Trim();
        if (int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0)
            return new(Math.Min(n, processors), n, null);
        string shown = v.Length > 40 ? v[..40] + "..." : v;
        shown = new string(shown.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return new(processors, null,
            $"{ThreadsVariable}='{shown}' is not a positive integer; using the {processors} processors.");
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
        RetireWorkers();
        _workers = new Worker[degree - 1];
        for (int i = 0; i < degree - 1; i++) _workers[i] = new Worker(i + 1, degree);
    }

    // Called under StartGate with no job in flight. Joining (not just flagging) the old workers is what
    // guarantees a retired worker, still spinning on the generation counter, never picks up a job of the
    // next generation with its stale index and degree (it would run wrong chunks and corrupt _pending).
    private static void RetireWorkers()
    {
        if (_workers is not { } old) return;
        _workers = null;
        foreach (var w in old) w.Stop();
        foreach (var w in old) w.Join();
    }

    private sealed class Worker
    {
        private readonly int _index;
        private readonly int _degree;
        private readonly SemaphoreSlim _signal = new(0);
        private readonly Thread _thread;
        private long _seen;
        private volatile bool _stopped;

        public Worker(int index, int degree)
        {
            _index = index; _degree = degree;
            _seen = Interlocked.Read(ref _generation);
            _thread = new Thread(Loop) { IsBackground = true, Name = $"muoninr-worker-{index}" };
            _thread.Start();
        }

        public void Wake() => _signal.Release();

        public void Stop() { _stopped = true; _signal.Release(); }

        public void Join() => _thread.Join();

        private void Loop()
        {
            while (!_stopped)
            {
                // Spin a little for the next job before blocking: kernels come in quick succession.
                long gen = Interlocked.Read(ref _generation);
                for (int i = 0; gen == _seen && i < SpinIterations && !_stopped; i++)
                {
                    // Every 64th round yield the core: on an idle machine this returns at once, but when
                    // other processes' threads are runnable (several runs on one machine) they get the core
                    // instead of waiting out this worker's spin. Measured (docs/results.md): two protocol-A
                    // runs at once 0.43–0.62 → 0.24–0.30 s/step; one run alone unchanged (0.130 vs 0.128).
                    if ((i & 63) == 63) Thread.Yield();
                    else Thread.SpinWait(20);
                    gen = Interlocked.Read(ref _generation);
                }
                if (gen == _seen) { _signal.Wait(); continue; }
                // Fence: a stopped worker never touches a job (RetireWorkers joins before publishing one).
                if (_stopped) break;
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
