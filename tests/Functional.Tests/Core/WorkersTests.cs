using System.Collections.Concurrent;
using Functional.Core;
using Xunit;

namespace Functional.Tests.Core;

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
    static void RunOnWorkers(PartJob job, int parts)
    {
        for (var attempt = 0; !Workers.TryRun(job, parts); attempt++)
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
        Assert.All(job.Runs.Where(r => r.Part > 0), r => Assert.NotEqual(Environment.CurrentManagedThreadId, r.Thread));
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
    public void A_failing_part_on_a_worker_surfaces_on_the_caller_and_the_pool_keeps_working()
    {
        var failing = new Record(part =>
        {
            if (part == 1)
                throw new InvalidDataException("part 1 failed");
        });
        var e = Assert.Throws<InvalidOperationException>(() => RunOnWorkers(failing, 2));
        Assert.IsType<InvalidDataException>(e.InnerException);
        var next = new Record();
        RunOnWorkers(next, 2);
        Assert.Equal(2, next.Runs.Count);
    }

    [Fact]
    public void A_failing_part_on_the_caller_is_rethrown_after_the_workers_finish_theirs()
    {
        var workerDone = false;
        var failing = new Record(part =>
        {
            if (part == 0)
                throw new InvalidDataException("part 0 failed");
            Thread.Sleep(50);
            workerDone = true;
        });
        Assert.Throws<InvalidDataException>(() => RunOnWorkers(failing, 2));
        Assert.True(workerDone);
        var next = new Record();
        RunOnWorkers(next, 2);
        Assert.Equal(2, next.Runs.Count);
    }
}
