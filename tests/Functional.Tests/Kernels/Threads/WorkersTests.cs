using System.Collections.Concurrent;
using Functional.Kernels;
using Xunit;

namespace Functional.Tests.Kernels;

public class WorkersTests
{
    sealed class Record(Action<int>? onPart = null) : PartJob
    {
        public readonly ConcurrentBag<(int Part, int Parts, int Thread)> Runs = [];

        public override void RunPart(int part, int parts)
        {
            Runs.Add((part, parts, Environment.CurrentManagedThreadId));
            onPart?.Invoke(part);
        }
    }

    /// <summary>Other tests use the workers too; a busy pool refuses a job (false), so retry until it is free.</summary>
    static void RunOnWorkers(PartJob job, int parts, int threads = 0)
    {
        for (var attempt = 0; !Workers.TryRun(job, parts, threads); attempt++)
        {
            Assert.True(attempt < 100_000, "the workers stayed busy");
            Thread.Yield();
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_part_runs_once_and_the_caller_takes_part_0(int parts)
    {
        var job = new Record();
        RunOnWorkers(job, parts);
        Assert.Equal(Enumerable.Range(0, parts), job.Runs.Select(r => r.Part).Order());
        Assert.All(job.Runs, r => Assert.Equal(parts, r.Parts));
        Assert.Equal(Environment.CurrentManagedThreadId, job.Runs.Single(r => r.Part == 0).Thread);
    }

    [Fact]
    public void A_worker_takes_the_parts_the_caller_cannot_get_to()
    {
        // Part 0 (the caller's) returns only once part 1 has started, which therefore runs on a worker.
        var started = new ManualResetEventSlim();
        var job = new Record(part =>
        {
            if (part == 0)
                Assert.True(started.Wait(TimeSpan.FromSeconds(30)), "no worker took part 1");
            else
                started.Set();
        });
        RunOnWorkers(job, 2);
        Assert.NotEqual(Environment.CurrentManagedThreadId, job.Runs.Single(r => r.Part == 1).Thread);
    }

    [Fact]
    public void More_parts_than_threads_each_run_once_on_two_threads()
    {
        // Parts of uneven cost, claimed by whichever of the two threads is free: still each part exactly once.
        for (var round = 0; round < 200; round++)
        {
            var parts = 2 + (round % 11);
            var counts = new int[parts];
            var job = new Record(part =>
            {
                Interlocked.Increment(ref counts[part]);
                Thread.SpinWait(((part * 7) + round) % 5 * 200);
            });
            RunOnWorkers(job, parts, threads: 2);
            Assert.All(counts, c => Assert.Equal(1, c));
            Assert.All(job.Runs, r => Assert.Equal(parts, r.Parts));
            Assert.True(job.Runs.Select(r => r.Thread).Distinct().Count() <= 2);
        }
    }

    [Fact]
    public void A_job_a_sleeping_worker_has_not_started_is_taken_back_and_run_by_the_caller()
    {
        // A worker left idle for a while sleeps; a job of two tiny parts is done by the caller before the worker has
        // woken, and the caller takes the worker's copy back instead of waiting for it. At least one such job must
        // have run whole on the caller and been taken back (other tests' jobs may keep the worker awake, so up to
        // 200 are tried); a worker that wakes to a job taken back must not run it (each part ran once).
        var allOnCaller = 0;
        var takenBack = Workers.TakenBack;
        for (var i = 0; i < 200 && (allOnCaller == 0 || Workers.TakenBack == takenBack); i++)
        {
            Thread.Sleep(5);
            var job = new Record();
            RunOnWorkers(job, 2);
            Assert.Equal([0, 1], job.Runs.Select(r => r.Part).Order());
            if (job.Runs.All(r => r.Thread == Environment.CurrentManagedThreadId))
                allOnCaller++;
            Thread.Sleep(1);
            Assert.Equal(2, job.Runs.Count);
        }

        Assert.True(allOnCaller > 0, "the caller never ran a whole job while the worker slept");
        Assert.True(Workers.TakenBack > takenBack, "the caller never took a job back from a sleeping worker");
    }

    [Fact]
    public void One_part_is_not_a_job_for_the_workers() => Assert.False(Workers.TryRun(new Record(), 1));

    [Fact]
    public void A_job_posted_from_inside_a_part_is_refused_so_that_part_runs_it_itself()
    {
        bool? nested = null;
        var job = new Record(part =>
        {
            if (part == 0)
                nested = Workers.TryRun(new Record(), 2);
        });
        RunOnWorkers(job, 2);
        Assert.False(nested);
    }

    [Fact]
    public void A_failing_part_on_a_worker_surfaces_on_the_caller_as_itself_and_the_pool_keeps_working()
    {
        // Part 0 waits for part 1 to have started, so part 1 fails on a worker.
        var started = new ManualResetEventSlim();
        var failing = new Record(part =>
        {
            if (part == 0)
            {
                Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
                return;
            }

            started.Set();
            throw new InvalidDataException("part 1 failed");
        });
        var e = Assert.Throws<InvalidDataException>(() => RunOnWorkers(failing, 2));
        Assert.Equal("part 1 failed", e.Message);
        Assert.Contains(failing.Runs, r => r.Part == 1 && r.Thread != Environment.CurrentManagedThreadId);
        var next = new Record();
        RunOnWorkers(next, 2);
        Assert.Equal(2, next.Runs.Count);
    }

    [Fact]
    public void A_failing_part_on_the_caller_is_rethrown_after_the_workers_finish_theirs()
    {
        // Part 1 starts on a worker before part 0 fails, and is still running when it does.
        var started = new ManualResetEventSlim();
        var workerDone = false;
        var failing = new Record(part =>
        {
            if (part == 0)
            {
                Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
                throw new InvalidDataException("part 0 failed");
            }

            started.Set();
            Thread.Sleep(50);
            Volatile.Write(ref workerDone, true);
        });
        Assert.Throws<InvalidDataException>(() => RunOnWorkers(failing, 2));
        Assert.True(Volatile.Read(ref workerDone));
        var next = new Record();
        RunOnWorkers(next, 2);
        Assert.Equal(2, next.Runs.Count);
    }
}
