using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;

namespace MuonInr.Core.Tests.Kernels;

/// <summary>
/// <see cref="GemmCalibration"/> with fake providers on a fake clock: each fake computes the right (or a
/// wrong) product with <see cref="GemmReference"/> and advances the clock by a fixed number of ticks per
/// call, so "faster" is exact and the tests neither sleep nor depend on the machine's load.
/// </summary>
public sealed class GemmCalibrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "muoninr-calib-" + Guid.NewGuid().ToString("N"));
    private readonly FakeClock _clock = new();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private GemmCalibrationOptions Options => new()
    {
        Shapes = [new GemmShape("tiny NT", false, true, 8, 8, 8), new GemmShape("tiny TN", true, false, 8, 8, 16)],
        Repetitions = 2,
        Clock = _clock,
    };

    private static readonly GemmCalibrationKey Key = new("Test CPU", 2, "fake-managed", "fake-native (libfake.so)", "fake 1.0", "0.1.0.0", "MUONINR_THREADS=");

    private FakeGemm Managed(long ticks, bool wrong = false) => new("fake-managed", _clock, ticks, wrong);
    private FakeGemm Native(long ticks, bool wrong = false) => new("fake-native", _clock, ticks, wrong);

    [Fact]
    public void The_faster_provider_is_chosen_by_total_time()
    {
        var (m, n) = (Managed(100), Native(50));
        var d = GemmCalibration.Decide(m, n, Key, cache: null, Options);
        Assert.Same(n, d.Provider);
        Assert.False(d.FromCache);
        Assert.StartsWith("fake-native: 0.1 ms vs fake-managed 0.2 ms", d.Summary);
        Assert.Equal(4, d.Timings.Count);
        Assert.Equal(100e-6, d.Timings.Single(t => t.Provider == "fake-managed" && t.Shape == "tiny NT").Seconds, 9);
        Assert.Equal(2 * 100e-6, d.TotalSeconds("fake-managed"), 9);

        (m, n) = (Managed(50), Native(100));
        Assert.Same(m, GemmCalibration.Decide(m, n, Key, cache: null, Options).Provider);
    }

    [Fact]
    public void Best_of_the_repetitions_is_kept_and_the_warm_up_is_not_timed()
    {
        // The first call of each shape (warm-up) costs 10x: it must not count; then the best repetition counts.
        var slowStart = new FakeGemm("fake-native", _clock, 10, wrong: false, firstCallsTicks: 1000);
        var timings = GemmCalibration.Time(slowStart, Options.Shapes!, repetitions: 2, _clock);
        Assert.All(timings, t => Assert.Equal(10e-6, t.Seconds, 9));
        Assert.Equal(3 * 2, slowStart.Calls);
    }

    [Theory]
    [InlineData(98, "fake-managed")]  // 2 % faster: a tie, managed preferred
    [InlineData(97, "fake-managed")]  // exactly 3 % faster: still a tie (strictly below 97 % is needed)
    [InlineData(96, "fake-native")]   // 4 % faster: native
    [InlineData(100, "fake-managed")] // equal
    public void Ties_within_three_percent_go_to_managed(long nativeTicks, string expected)
    {
        var d = GemmCalibration.Decide(Managed(100), Native(nativeTicks), Key, cache: null, Options);
        Assert.Equal(expected, d.Provider.Name);
        if (nativeTicks is 98 or 97) Assert.Contains("within 3 %: a tie, managed preferred", d.Summary);
    }

    [Fact]
    public void A_provider_that_disagrees_with_the_reference_is_never_chosen()
    {
        var (m, wrongNative) = (Managed(1000), Native(1, wrong: true));
        var d = GemmCalibration.Decide(m, wrongNative, Key, cache: null, Options);
        Assert.Same(m, d.Provider);
        Assert.Contains("fake-native disagrees with the reference GEMM", d.Summary);
        Assert.Empty(d.Timings);

        var (wrongManaged, n) = (Managed(1, wrong: true), Native(1000));
        Assert.Same(n, GemmCalibration.Decide(wrongManaged, n, Key, cache: null, Options).Provider);

        // Both wrong: managed (nothing better to pick), and the reason says both.
        var both = GemmCalibration.Decide(Managed(1, wrong: true), Native(1, wrong: true), Key, cache: null, Options);
        Assert.Equal("fake-managed", both.Provider.Name);
        Assert.Contains("both providers disagree", both.Summary);
    }

    [Fact]
    public void A_provider_that_throws_is_never_chosen()
    {
        var m = Managed(1000);
        var d = GemmCalibration.Decide(m, new ThrowingGemm(), Key, cache: null, Options);
        Assert.Same(m, d.Provider);
        Assert.Contains("threw", d.Summary);
    }

    [Fact]
    public void The_real_providers_pass_validation()
    {
        Assert.Null(GemmCalibration.Validate(GemmProviders.Managed));
        Assert.Null(GemmCalibration.Validate(new GemmReference()));
        if (GemmProviders.TryNative() is { } native) Assert.Null(GemmCalibration.Validate(native));
    }

    [Fact]
    public void The_decision_is_cached_and_read_back_without_measuring()
    {
        var cache = new GemmDecisionCache(_dir);
        var first = GemmCalibration.Decide(Managed(100), Native(50), Key, cache, Options);
        Assert.False(first.FromCache);
        Assert.Null(first.CacheProblem);
        Assert.True(File.Exists(cache.FilePath));
        Assert.EndsWith("(measured now)", first.Reason);
        Assert.Equal("auto chose fake-native because 0.1 ms vs fake-managed 0.2 ms on the step's shapes (measured now)", first.Sentence);

        var (m, n) = (Managed(1), Native(1000)); // would now choose managed if it measured
        var second = GemmCalibration.Decide(m, n, Key, cache, Options);
        Assert.True(second.FromCache);
        Assert.Same(n, second.Provider);
        Assert.Equal(0, m.Calls);
        Assert.Equal(0, n.Calls);
        Assert.Equal(first.Summary, second.Summary);
        Assert.Equal(first.Timings, second.Timings);
        Assert.EndsWith($"(cached {_clock.GetUtcNow():yyyy-MM-dd})", second.Reason);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_different_key_measures_again_and_both_decisions_stay_cached()
    {
        // A sweep's runs (MUONINR_THREADS=1) and an interactive session alternate on one machine: each key
        // keeps its own decision instead of overwriting the other's (which made every run measure again).
        var cache = new GemmDecisionCache(_dir);
        GemmCalibration.Decide(Managed(100), Native(50), Key, cache, Options);
        var newKey = Key with { Threads = "MUONINR_THREADS=1" };
        var (m, n) = (Managed(50), Native(100));
        var d = GemmCalibration.Decide(m, n, newKey, cache, Options);
        Assert.False(d.FromCache);
        Assert.Same(m, d.Provider);
        Assert.True(m.Calls > 0 && n.Calls > 0);
        Assert.Equal("fake-native", cache.TryRead(Key)!.Chosen);
        Assert.Equal("fake-managed", cache.TryRead(newKey)!.Chosen);
        var (m2, n2) = (Managed(1), Native(1));
        Assert.True(GemmCalibration.Decide(m2, n2, Key, cache, Options).FromCache);
        Assert.Equal(0, m2.Calls + n2.Calls);

        // At most MaxRecords decisions: the oldest go first.
        for (int i = 0; i < GemmDecisionCache.MaxRecords; i++)
            GemmCalibration.Decide(Managed(100), Native(50), Key with { AssemblyVersion = $"v{i}" }, cache, Options);
        Assert.Null(cache.TryRead(Key));
        Assert.NotNull(cache.TryRead(Key with { AssemblyVersion = "v0" }));
        Assert.NotNull(cache.TryRead(Key with { AssemblyVersion = $"v{GemmDecisionCache.MaxRecords - 1}" }));

        foreach (var changed in new[] { Key with { CpuModel = "Other CPU" }, Key with { LogicalCores = 4 }, Key with { Managed = "managed-avx512" },
                     Key with { Native = "mkl (libmkl_rt.so)" }, Key with { AssemblyVersion = "0.2.0.0" }, Key with { Threads = "MUONINR_THREADS=1" } })
            Assert.Null(cache.TryRead(changed));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"Format\": 99}")]
    [InlineData("truncate")]
    public void A_corrupt_or_truncated_cache_file_is_ignored_and_rewritten(string content)
    {
        var cache = new GemmDecisionCache(_dir);
        if (content == "truncate")
        {
            GemmCalibration.Decide(Managed(100), Native(50), Key, cache, Options);
            string full = File.ReadAllText(cache.FilePath);
            content = full[..(full.Length / 2)];
        }
        Directory.CreateDirectory(_dir);
        File.WriteAllText(cache.FilePath, content);
        Assert.Null(cache.TryRead(Key));

        var (m, n) = (Managed(50), Native(100));
        var d = GemmCalibration.Decide(m, n, Key, cache, Options);
        Assert.False(d.FromCache);
        Assert.Same(m, d.Provider);
        Assert.Null(d.CacheProblem);
        Assert.Equal("fake-managed", cache.TryRead(Key)!.Chosen);
    }

    [Fact]
    public void A_real_step_decides_over_the_gemm_shapes()
    {
        // Native wins every shape (50 vs 100 ticks) but loses the step: the step decides, and says so.
        var options = Options with { StepTimer = p => p.Name == "fake-managed" ? 0.010 : 0.020 };
        var record = GemmCalibration.Measure(Managed(100), Native(50), Key, options);
        Assert.Equal("fake-managed", record.Chosen);
        Assert.Equal($"fake-managed: 10.0 ms vs fake-native 20.0 ms per training step ({GemmCalibration.StepLabel})", record.Summary);
        Assert.Equal(2, record.Timings.Count(t => t.Shape == GemmCalibration.StepLabel));
        Assert.Contains(record.Timings, t => t.Shape == "tiny NT"); // shapes kept for diagnosis
        Assert.Equal("fake-native", GemmCalibration.Measure(Managed(100), Native(50), Key, Options with { StepTimer = p => p.Name == "fake-managed" ? 0.020 : 0.010 }).Chosen);
    }

    [Fact]
    public void The_calibration_step_is_a_real_step_and_puts_the_installed_provider_back()
    {
        var before = Gemm.Provider;
        double seconds = GemmCalibrationStep.Seconds(before, points: 512, hidden: 16, repetitions: 1);
        Assert.True(double.IsFinite(seconds) && seconds > 0, $"step took {seconds} s");
        Assert.Same(before, Gemm.Provider);
    }

    [Fact]
    public void A_cache_file_of_the_first_format_one_bare_record_is_still_read()
    {
        var cache = new GemmDecisionCache(Path.Combine(_dir, "fresh"));
        var record = GemmCalibration.Measure(Managed(100), Native(50), Key, Options);
        Directory.CreateDirectory(cache.Directory);
        File.WriteAllText(cache.FilePath, System.Text.Json.JsonSerializer.Serialize(record));
        Assert.Equal("fake-native", cache.TryRead(Key)!.Chosen);
    }

    [Fact]
    public void A_cache_naming_an_unknown_provider_is_measured_again()
    {
        var cache = new GemmDecisionCache(_dir);
        GemmCalibration.Decide(Managed(100), Native(50), Key, cache, Options);
        var (m, n) = (new FakeGemm("fake-managed", _clock, 50, false), new FakeGemm("renamed-native", _clock, 100, false));
        var d = GemmCalibration.Decide(m, n, Key, cache, Options);
        Assert.False(d.FromCache);
        Assert.Same(m, d.Provider);
        Assert.Equal("fake-managed", cache.TryRead(Key)!.Chosen);   // the stale decision was replaced, not kept
        var again = GemmCalibration.Decide(new FakeGemm("fake-managed", _clock, 50, false), new FakeGemm("renamed-native", _clock, 100, false), Key, cache, Options);
        Assert.True(again.FromCache);
    }

    [Fact]
    public void An_unwritable_cache_folder_still_decides_and_says_why_it_did_not_cache()
    {
        // A folder "inside" a regular file can never be created, whoever runs the test (root included).
        Directory.CreateDirectory(_dir);
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var cache = new GemmDecisionCache(Path.Combine(file, "muoninr"));
        var (m, n) = (Managed(100), Native(50));
        var d = GemmCalibration.Decide(m, n, Key, cache, Options);
        Assert.Same(n, d.Provider);
        Assert.False(d.FromCache);
        Assert.NotNull(d.CacheProblem);
        Assert.Contains("; not cached: ", d.Reason);
        // And again: measured again (nothing was cached), same answer, still no exception.
        var again = GemmCalibration.Decide(Managed(100), Native(50), Key, cache, Options);
        Assert.Equal("fake-native", again.Provider.Name);
    }

    [Fact]
    public void When_another_process_cached_first_its_decision_is_followed()
    {
        var cache = new GemmDecisionCache(_dir);
        // The "other process" stores its decision (managed) while this one measures (native would win here).
        var m = Managed(100);
        var n = new FakeGemm("fake-native", _clock, 50, wrong: false, onFirstTimedCall: () =>
            Assert.True(cache.TryWrite(new GemmCalibrationRecord(GemmCalibrationRecord.CurrentFormat, Key, "fake-managed", "fake-managed: other process", _clock.GetUtcNow(), []), out _, out _)));
        var d = GemmCalibration.Decide(m, n, Key, cache, Options);
        Assert.Same(m, d.Provider);
        Assert.True(d.FromCache);
        Assert.Equal("fake-managed: other process", d.Summary);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Explicit_provider_names_never_calibrate()
    {
        IGemmProvider Fail() => throw new InvalidOperationException("auto must not be resolved");
        Assert.Same(GemmProviders.Managed, GemmProviders.FromName("managed", Fail));
        Assert.Same(GemmProviders.Managed, GemmProviders.FromName(" Managed ", Fail));
        Assert.IsType<GemmReference>(GemmProviders.FromName("reference", Fail));
        if (GemmProviders.TryNative() is { } native) Assert.Same(native, GemmProviders.FromName("native", Fail));
        var marker = new GemmReference();
        Assert.Same(marker, GemmProviders.FromName("auto", () => marker));
        Assert.Same(marker, GemmProviders.FromName("", () => marker));
    }

    [Fact]
    public void The_cache_folder_follows_the_override_then_the_platform_convention()
    {
        var env = new Dictionary<string, string> { ["MUONINR_CACHE_DIR"] = "/tmp/x", ["HOME"] = "/home/u", ["XDG_CACHE_HOME"] = "/xdg", ["LOCALAPPDATA"] = @"C:\Users\u\AppData\Local" };
        string? Lookup(string v) => env.GetValueOrDefault(v);
        Assert.Equal("/tmp/x", GemmDecisionCache.DefaultDirectory(Lookup));
        env.Remove("MUONINR_CACHE_DIR");
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal("/xdg/muoninr", GemmDecisionCache.DefaultDirectory(Lookup));
            env["XDG_CACHE_HOME"] = "relative"; // invalid per the XDG spec: ignored
            Assert.Equal("/home/u/.cache/muoninr", GemmDecisionCache.DefaultDirectory(Lookup));
        }
        if (OperatingSystem.IsMacOS()) Assert.Equal("/home/u/Library/Caches/muoninr", GemmDecisionCache.DefaultDirectory(Lookup));
        if (OperatingSystem.IsWindows()) Assert.Equal(@"C:\Users\u\AppData\Local\muoninr", GemmDecisionCache.DefaultDirectory(Lookup));
    }

    [Fact]
    public void The_step_shapes_are_the_three_linear_products_at_two_widths_and_a_newton_schulz_square()
    {
        var shapes = GemmCalibration.StepShapes(4096);
        Assert.Equal(7, shapes.Count);
        Assert.Contains(new GemmShape("forward NT 4096x256x256", false, true, 4096, 256, 256), shapes);
        Assert.Contains(new GemmShape("input-grad NN 4096x256x256", false, false, 4096, 256, 256), shapes);
        Assert.Contains(new GemmShape("weight-grad TN 256x256x4096", true, false, 256, 256, 4096), shapes);
        Assert.Contains(shapes, s => s is { TransA: false, TransB: true, M: 4096, N: 128, K: 128 });
        Assert.Contains(new GemmShape("newton-schulz NN 256x256x256", false, false, 256, 256, 256), shapes);
        Assert.Equal(7, shapes.Select(s => s.Label).Distinct().Count());
    }

    [Fact]
    public void The_key_of_this_process_names_the_cpu_cores_and_providers()
    {
        var key = GemmCalibrationKey.Current(GemmProviders.Managed, new GemmReference());
        Assert.False(string.IsNullOrWhiteSpace(key.CpuModel));
        Assert.Equal(Environment.ProcessorCount, key.LogicalCores);
        Assert.StartsWith("managed", key.Managed);
        Assert.Equal("reference", key.Native);
        Assert.Contains("MUONINR_THREADS=", key.Threads);
        Assert.Equal(key, GemmCalibrationKey.Current(GemmProviders.Managed, new GemmReference()));
    }

    [NativeBlasFact]
    public void The_real_providers_are_measured_and_cached()
    {
        // Small rows: this checks the mechanism with the real kernels (a few ms), not which one is faster.
        var (managed, native) = (GemmProviders.Managed, GemmProviders.TryNative()!);
        var key = GemmCalibrationKey.Current(managed, native);
        var cache = new GemmDecisionCache(_dir);
        var options = new GemmCalibrationOptions { Rows = 256, Repetitions = 1 };
        var d = GemmCalibration.Decide(managed, native, key, cache, options);
        Assert.True(ReferenceEquals(d.Provider, managed) || ReferenceEquals(d.Provider, native));
        Assert.Equal(2 * GemmCalibration.StepShapes(256).Count, d.Timings.Count);
        Assert.All(d.Timings, t => Assert.True(t.Seconds > 0 && double.IsFinite(t.Seconds)));
        Assert.Contains(" ms vs ", d.Summary);
        var again = GemmCalibration.Decide(managed, native, key, cache, options);
        Assert.True(again.FromCache);
        Assert.Same(d.Provider, again.Provider);
    }

    [Fact]
    public void Auto_decides_once_per_process_and_explains_itself()
    {
        var seen = new GemmDecision[8];
        Parallel.For(0, seen.Length, i => seen[i] = GemmProviders.AutoDecision);
        var d = GemmProviders.AutoDecision;
        Assert.All(seen, s => Assert.Same(d, s));
        Assert.Same(d.Provider, GemmProviders.Auto());
        Assert.True(ReferenceEquals(d.Provider, GemmProviders.Managed) || ReferenceEquals(d.Provider, GemmProviders.TryNative()));
        Assert.StartsWith(d.Provider.Name + ":", d.Reason);
        if (GemmProviders.TryNative() is null) Assert.Empty(d.Timings);
    }

    private sealed class FakeClock : TimeProvider
    {
        public long Ticks;
        public override long TimestampFrequency => 1_000_000; // one tick = 1 µs
        public override long GetTimestamp() => Ticks;
        public override DateTimeOffset GetUtcNow() => new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    }

    /// <summary>A correct (or deliberately wrong) GEMM that costs a fixed number of fake-clock ticks per call.</summary>
    private sealed class FakeGemm(string name, FakeClock clock, long ticksPerCall, bool wrong, long firstCallsTicks = -1, Action? onFirstTimedCall = null) : IGemmProvider
    {
        private readonly GemmReference _reference = new();
        private readonly HashSet<(int, int, int)> _seen = [];
        private Action? _onFirstTimedCall = onFirstTimedCall;
        public int Calls;
        public string Name => name;

        public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        {
            Calls++;
            _reference.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            if (wrong) c[0] += 1f;
            bool first = _seen.Add((m, n, k));
            clock.Ticks += first && firstCallsTicks >= 0 ? firstCallsTicks : ticksPerCall;
            if (m == 8 && _onFirstTimedCall is { } callback) { _onFirstTimedCall = null; callback(); }
        }
    }

    private sealed class ThrowingGemm : IGemmProvider
    {
        public string Name => "throwing";
        public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
            => throw new DllNotFoundException("libthrowing.so");
    }
}
