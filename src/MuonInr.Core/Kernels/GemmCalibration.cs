using System.Globalization;
using MuonInr.Tensors;

namespace MuonInr.Kernels;

/// <summary>
/// Chooses between the managed GEMM kernels and a native BLAS by measuring both on the GEMM shapes of an
/// INR training step, instead of guessing from the instruction set (on an AVX2-only machine the managed
/// kernels measured faster for the whole step, against the old rule that sent such machines to OpenBLAS).
/// </summary>
/// <remarks>
/// <para>Procedure: both providers are first checked against <see cref="GemmReference"/> on small NT, NN and
/// TN cases; a provider that disagrees is never chosen (and not timed). Then each provider in turn, managed
/// first, runs one untimed pass over <see cref="StepShapes"/> (JIT, packing buffers, thread start-up, and
/// the previous provider's spinning threads settling) followed by <see cref="GemmCalibrationOptions.Repetitions"/>
/// timed passes; the best time per shape is kept and the totals are compared.</para>
/// <para>Tie rule: the native BLAS is chosen only when its total is below (1 − <see cref="GemmCalibrationOptions.TieTolerance"/>)
/// times the managed total (default: at least 3 % faster); otherwise the managed kernels, which need no
/// external library and are bit-reproducible across thread counts.</para>
/// <para>The decision is cached per machine by <see cref="Decide"/> (see <see cref="GemmDecisionCache"/> and
/// <see cref="GemmCalibrationKey"/>), so the measurement (about 0.1–0.3 s) runs once, not in every process.</para>
/// </remarks>
public static class GemmCalibration
{
    /// <summary>
    /// The shapes of one training step: the three products of a 256-wide and of a 128-wide Linear layer on
    /// <paramref name="rows"/> points (see <see cref="GemmShape.LinearLayer"/>), and a 256x256x256 product
    /// as in Muon's Newton–Schulz iteration.
    /// </summary>
    public static IReadOnlyList<GemmShape> StepShapes(int rows) =>
    [
        .. GemmShape.LinearLayer(rows, 256),
        .. GemmShape.LinearLayer(rows, 128),
        new("newton-schulz NN 256x256x256", false, false, 256, 256, 256),
    ];

    /// <summary>
    /// The cached decision for <paramref name="key"/> when <paramref name="cache"/> has one (no provider is
    /// called); otherwise measures (<see cref="Measure"/>) and stores the result. A cache that cannot be
    /// written only sets <see cref="GemmDecision.CacheProblem"/>; this method never throws for cache problems.
    /// </summary>
    /// <param name="managed">The managed provider (preferred on ties).</param>
    /// <param name="native">The native provider.</param>
    /// <param name="key">What the decision depends on (<see cref="GemmCalibrationKey.Current"/>).</param>
    /// <param name="cache">Where decisions are stored; null measures every time.</param>
    /// <param name="options">Shapes, repetitions, tie tolerance; null for the defaults.</param>
    public static GemmDecision Decide(IGemmProvider managed, IGemmProvider native, GemmCalibrationKey key, GemmDecisionCache? cache, GemmCalibrationOptions? options = null)
    {
        var cached = cache?.TryRead(key);
        if (cached is not null && FromRecord(cached, managed, native, fromCache: true) is { } hit) return hit;
        var record = Measure(managed, native, key, options);
        if (cache is null) return FromRecord(record, managed, native, fromCache: false)!;
        if (!cache.TryWrite(record, out var inEffect, out var problem, replacing: cached))
            return WithProblem(FromRecord(record, managed, native, fromCache: false)!, problem);
        // Another process stored a decision for this key first: follow it, so processes agree.
        return FromRecord(inEffect, managed, native, fromCache: !ReferenceEquals(inEffect, record))
            ?? FromRecord(record, managed, native, fromCache: false)!;
    }

    /// <summary>Label of the real-step timing in records and summaries.</summary>
    public const string StepLabel = "5 x 128 ReLU MLP, 8192 points, forward + backward";

    /// <summary>Validates and times both providers and returns the decision as a record for <paramref name="key"/>.</summary>
    public static GemmCalibrationRecord Measure(IGemmProvider managed, IGemmProvider native, GemmCalibrationKey key, GemmCalibrationOptions? options = null)
    {
        options ??= new GemmCalibrationOptions();
        var clock = options.Clock ?? TimeProvider.System;
        var shapes = options.Shapes ?? StepShapes(options.Rows);
        var now = clock.GetUtcNow();
        string? managedError = Validate(managed), nativeError = Validate(native);
        if (managedError is not null || nativeError is not null)
        {
            // Nothing to compare: the one that agrees with the reference wins, or managed when neither does
            // (its bugs are ours to fix; a broken native library is the user's to replace).
            var chosen = nativeError is null ? native : managed;
            string why = managedError is not null && nativeError is not null
                ? $"{managed.Name}: both providers disagree with the reference GEMM ({managed.Name}: {managedError}; {native.Name}: {nativeError})"
                : $"{chosen.Name}: {(managedError is not null ? managed.Name : native.Name)} disagrees with the reference GEMM ({managedError ?? nativeError})";
            return new GemmCalibrationRecord(GemmCalibrationRecord.CurrentFormat, key, chosen.Name, why, now, []);
        }
        var timings = new List<GemmShapeTiming>();
        timings.AddRange(Time(managed, shapes, options.Repetitions, clock));
        timings.AddRange(Time(native, shapes, options.Repetitions, clock));
        double tm = timings.Where(t => t.Provider == managed.Name).Sum(t => t.Seconds);
        double tn = timings.Where(t => t.Provider == native.Name).Sum(t => t.Seconds);
        string what = "on the step's shapes";
        if (options.StepTimer is { } step)
        {
            // The decision follows a real step; the shape timings stay in the record for diagnosis.
            tm = step(managed); tn = step(native);
            timings.Add(new GemmShapeTiming(managed.Name, StepLabel, tm));
            timings.Add(new GemmShapeTiming(native.Name, StepLabel, tn));
            what = "per training step (" + StepLabel + ")";
        }
        bool nativeWins = tn < (1 - options.TieTolerance) * tm;
        var ci = CultureInfo.InvariantCulture;
        string summary = nativeWins
            ? string.Create(ci, $"{native.Name}: {tn * 1e3:F1} ms vs {managed.Name} {tm * 1e3:F1} ms {what}")
            : string.Create(ci, $"{managed.Name}: {tm * 1e3:F1} ms vs {native.Name} {tn * 1e3:F1} ms {what}")
              + (tn < tm ? string.Create(ci, $" (within {options.TieTolerance * 100:0.#} %: a tie, managed preferred)") : "");
        return new GemmCalibrationRecord(GemmCalibrationRecord.CurrentFormat, key, nativeWins ? native.Name : managed.Name, summary, now, timings);
    }

    /// <summary>
    /// Checks <paramref name="provider"/> against <see cref="GemmReference"/> on small NT, NN and TN products
    /// (odd sizes, α ≠ 1, β ≠ 0); returns null when it agrees, else what went wrong. Never throws.
    /// </summary>
    public static string? Validate(IGemmProvider provider)
    {
        var reference = new GemmReference();
        var rng = new Rng(20261201);
        foreach (var (ta, tb) in new[] { (false, true), (false, false), (true, false) })
        {
            const int m = 37, n = 29, k = 41;
            var s = new GemmShape("validation", ta, tb, m, n, k);
            var a = new float[s.Lengths.A]; var b = new float[s.Lengths.B]; var c = new float[s.Lengths.C];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1); rng.FillUniform(c, -1, 1);
            var expected = (float[])c.Clone();
            reference.Sgemm(ta, tb, m, n, k, 0.75f, a, s.Lda, b, s.Ldb, 0.5f, expected, n);
            try { provider.Sgemm(ta, tb, m, n, k, 0.75f, a, s.Lda, b, s.Ldb, 0.5f, c, n); }
            catch (Exception e) when (e is not OutOfMemoryException) { return $"{Op(ta, tb)} threw {e.GetType().Name}: {e.Message}"; }
            for (int i = 0; i < c.Length; i++)
            {
                // Inputs in [-1, 1], k = 41: float rounding stays below 1e-5; 1e-4 relative flags real errors only.
                float e = expected[i], g = c[i];
                if (!(Math.Abs(e - g) <= 1e-4f * (1 + Math.Abs(e))))
                    return string.Create(CultureInfo.InvariantCulture, $"{Op(ta, tb)} {m}x{n}x{k}: C[{i / n},{i % n}] = {g}, expected {e}");
            }
        }
        return null;
    }

    /// <summary>Best-of-<paramref name="repetitions"/> time of each shape after one untimed pass.</summary>
    public static IReadOnlyList<GemmShapeTiming> Time(IGemmProvider provider, IReadOnlyList<GemmShape> shapes, int repetitions, TimeProvider? clock = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        clock ??= TimeProvider.System;
        int la = 0, lb = 0, lc = 0;
        foreach (var s in shapes) { la = Math.Max(la, s.Lengths.A); lb = Math.Max(lb, s.Lengths.B); lc = Math.Max(lc, s.Lengths.C); }
        var a = new float[la]; var b = new float[lb]; var c = new float[lc];
        var rng = new Rng(7);
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        var best = new double[shapes.Count];
        Array.Fill(best, double.PositiveInfinity);
        for (int pass = 0; pass <= repetitions; pass++)
        {
            for (int i = 0; i < shapes.Count; i++)
            {
                var s = shapes[i];
                long t0 = clock.GetTimestamp();
                provider.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a.AsSpan(0, s.Lengths.A), s.Lda, b.AsSpan(0, s.Lengths.B), s.Ldb, 0f, c.AsSpan(0, s.Lengths.C), s.N);
                double seconds = clock.GetElapsedTime(t0).TotalSeconds;
                if (pass > 0) best[i] = Math.Min(best[i], seconds); // pass 0 is the warm-up
            }
        }
        return [.. shapes.Select((s, i) => new GemmShapeTiming(provider.Name, s.Label, best[i]))];
    }

    private static string Op(bool ta, bool tb) => $"{(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')}";

    private static GemmDecision? FromRecord(GemmCalibrationRecord record, IGemmProvider managed, IGemmProvider native, bool fromCache)
    {
        IGemmProvider? provider = record.Chosen == managed.Name ? managed : record.Chosen == native.Name ? native : null;
        return provider is null ? null : new GemmDecision
        {
            Provider = provider, Summary = record.Summary, Timings = record.Timings, MeasuredAt = record.MeasuredAt, FromCache = fromCache,
        };
    }

    private static GemmDecision WithProblem(GemmDecision d, string? problem) => new()
    {
        Provider = d.Provider, Summary = d.Summary, Timings = d.Timings, MeasuredAt = d.MeasuredAt, FromCache = d.FromCache, CacheProblem = problem,
    };
}
