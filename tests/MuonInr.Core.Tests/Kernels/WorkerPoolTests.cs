using System.Diagnostics;
using MuonInr.Core.Tests.TestSupport;
using MuonInr.Kernels;
using MuonInr.Tensors;

namespace MuonInr.Core.Tests.Kernels;

[Collection(WorkerPoolDegreeCollection.Name)]
public class WorkerPoolTests
{
    [Fact]
    public void Degree_above_the_processor_count_is_capped_at_it()
    {
        int saved = WorkerPool.Degree;
        try
        {
            int max = Environment.ProcessorCount;
            Assert.Equal(max, WorkerPool.MaxDegree);
            WorkerPool.Degree = max + 30;
            Assert.Equal(max, WorkerPool.Degree);
            Assert.Equal(max + 30, WorkerPool.RequestedDegree);
            Assert.True(WorkerPool.DegreeCapped);
            Assert.Contains("exceeds", WorkerPool.ConfigurationMessage);
            WorkerPool.Degree = int.MaxValue;
            Assert.Equal(max, WorkerPool.Degree);
            RunAndCheck(37);

            WorkerPool.Degree = max;
            Assert.Equal(max, WorkerPool.Degree);
            Assert.False(WorkerPool.DegreeCapped);
            WorkerPool.Degree = 1;
            Assert.Equal(1, WorkerPool.Degree);
            Assert.False(WorkerPool.DegreeCapped);
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Degree = 0);
            Assert.Throws<ArgumentOutOfRangeException>(() => WorkerPool.Degree = -4);
        }
        finally { WorkerPool.Degree = saved; }
    }

    [Theory]
    [InlineData(null, 8, 8, null)]
    [InlineData("", 8, 8, null)]
    [InlineData("4", 8, 4, 4)]
    [InlineData(" 3 ", 8, 3, 3)]
    [InlineData("64", 2, 2, 64)]
    [InlineData("2147483647", 2, 2, int.MaxValue)]
    public void Thread_setting_is_parsed_and_capped(string? value, int processors, int degree, int? requested)
    {
        var s = WorkerPool.ReadSetting(value, processors);
        Assert.Equal(degree, s.Degree);
        Assert.Equal(requested, s.Requested);
        Assert.Null(s.Error);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1.5")]
    [InlineData("99999999999999")]
    [InlineData("4 threads")]
    [InlineData("1\n2")]
    public void Invalid_thread_setting_falls_back_to_the_processor_count_with_one_line(string value)
    {
        var s = WorkerPool.ReadSetting(value, 6);
        Assert.Equal(6, s.Degree);
        Assert.Null(s.Requested);
        Assert.NotNull(s.Error);
        Assert.Contains(WorkerPool.ThreadsVariable, s.Error);
        Assert.Contains("not a positive integer", s.Error);
        Assert.DoesNotContain('\n', s.Error);
    }

    [Fact]
    public void Degree_changes_between_jobs_on_the_same_thread_keep_results_correct()
    {
        int saved = WorkerPool.Degree;
        var rng = new Rng(11);
        int n = 300_000;
        var p = new float[n]; var t = new float[n]; var g = new float[n];
        rng.FillUniform(p, -1, 1); rng.FillUniform(t, -1, 1);
        double expected = 0;
        for (int i = 0; i < n; i++) { double d = (double)p[i] - t[i]; expected += d * d; }
        expected /= n;
        int rows = 64, cols = 4096;
        var dy = new float[rows * cols]; var y = new float[rows * cols]; var bias = new float[cols];
        rng.FillUniform(y, -1, 1);
        try
        {
            var sw = Stopwatch.StartNew();
            for (int iter = 0; iter < 300 && sw.Elapsed < TimeSpan.FromSeconds(8); iter++)
            {
                // Cycle through every degree up to twice the processor count (the upper half is capped).
                WorkerPool.Degree = iter % (2 * WorkerPool.MaxDegree) + 1;
                RunAndCheck(1 + iter % 23);
                double loss = MseKernel.LossAndGradient(p, t, g);
                Assert.Equal(expected, loss, 1e-5);
                Array.Fill(dy, 1f);
                LinearEpilogue.ActivationBackward(dy, y, rows, cols, FusedActivation.None, bias, accumulateBias: false);
                Assert.All(bias, b => Assert.Equal(rows, b));
            }
        }
        finally { WorkerPool.Degree = saved; }
    }

    [Fact]
    public void Degree_changes_from_another_thread_while_jobs_run_keep_results_correct()
    {
        int saved = WorkerPool.Degree;
        bool stop = false;
        var flipper = new Thread(() =>
        {
            int i = 0;
            while (!Volatile.Read(ref stop)) { WorkerPool.Degree = i++ % (2 * WorkerPool.MaxDegree) + 1; Thread.Yield(); }
        }) { IsBackground = true };
        flipper.Start();
        try
        {
            var sw = Stopwatch.StartNew();
            for (int iter = 0; sw.Elapsed < TimeSpan.FromSeconds(2); iter++) RunAndCheck(1 + iter % 17);
        }
        finally
        {
            Volatile.Write(ref stop, true);
            flipper.Join();
            WorkerPool.Degree = saved;
        }
    }

    [Fact]
    public void ForChunks_runs_exactly_the_chunk_count_it_was_given()
    {
        int saved = WorkerPool.Degree;
        try
        {
            WorkerPool.Degree = WorkerPool.MaxDegree;
            int rows = 1000;
            int chunks = RowParallel.ChunkCount(rows, 1 << 16);
            WorkerPool.Degree = 1; // a kernel sized its buffers for `chunks` before this change
            var seen = new int[chunks];
            var covered = new int[rows];
            RowParallel.ForChunks(rows, chunks, (c, s, e) =>
            {
                Interlocked.Increment(ref seen[c]);
                for (int i = s; i < e; i++) Interlocked.Increment(ref covered[i]);
            });
            Assert.All(seen, v => Assert.Equal(1, v));
            Assert.All(covered, v => Assert.Equal(1, v));
            Assert.Throws<ArgumentOutOfRangeException>(() => RowParallel.ForChunks(rows, 0, (_, _, _) => { }));
            Assert.Throws<ArgumentOutOfRangeException>(() => RowParallel.ForChunks(3, 4, (_, _, _) => { }));
        }
        finally { WorkerPool.Degree = saved; }
    }

    [Fact]
    public void Managed_gemm_matches_single_thread_after_degree_changes()
    {
        var rng = new Rng(5);
        int m = 500, n = 96, k = 300;
        var a = new float[m * k]; var b = new float[n * k]; rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        var c1 = new float[m * n]; var c2 = new float[m * n]; var c3 = new float[m * n];
        var gemm = GemmProviders.Managed;
        int saved = WorkerPool.Degree;
        try
        {
            WorkerPool.Degree = WorkerPool.MaxDegree;
            gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c1, n);
            gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c2, n);
            WorkerPool.Degree = 1;
            gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c3, n);
        }
        finally { WorkerPool.Degree = saved; }
        Assert.Equal(c1, c2);
        Assert.Equal(c1, c3); // each element is the same FMA chain whatever the row partition
    }

    // Every chunk of a job runs exactly once, on whatever degree the pool has now.
    private static void RunAndCheck(int chunks)
    {
        var counts = new int[chunks];
        WorkerPool.Run(chunks, c => Interlocked.Increment(ref counts[c]));
        Assert.All(counts, v => Assert.Equal(1, v));
    }
}
