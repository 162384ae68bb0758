using System.Globalization;
using Functional.Kernels;
using Functional.Tests.Support;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>
/// Once work ends the workers sleep: an idle process keeps no busy thread. In <see cref="ProcessWide"/>, so no other
/// test posts a job during the idle window.
/// </summary>
[Collection(nameof(ProcessWide))]
public sealed class IdleWorkersTests
{
    sealed class Spin(TimeSpan each) : PartJob
    {
        public override void RunPart(int part, int parts) => Thread.Sleep(each);
    }

    [Fact]
    public void After_a_job_every_worker_parks_and_uses_no_CPU()
    {
        for (var attempt = 0; !Workers.TryRun(new Spin(TimeSpan.FromMilliseconds(5)), 4, 2); attempt++)
        {
            Assert.True(attempt < 1000, "the workers stayed busy");
            Thread.Sleep(1);
        }
        Assert.True(Workers.Started >= 1);

        // A worker spins SpinMicroseconds (250 µs) after its last part, then parks: allow a loaded machine 10 s.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Workers.Parked < Workers.Started && clock.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(10);
        Assert.Equal(Workers.Started, Workers.Parked);

        if (!OperatingSystem.IsLinux())
            return;
        // The kernel's own account: the workers' CPU time over half a second of idleness. A spinning thread gains
        // a tick (10 ms) every 10 ms it holds a CPU; a parked one gains none. Three ticks allow for bookkeeping.
        var t0 = WorkerTicks();
        Assert.NotEmpty(t0);
        Thread.Sleep(500);
        var t1 = WorkerTicks();
        var used = t1.Sum(kv => kv.Value - t0.GetValueOrDefault(kv.Key, kv.Value));
        Assert.True(used <= 3, $"the idle workers used {used} clock ticks of CPU in 0.5 s");
    }

    /// <summary>utime + stime (clock ticks) of each thread of this process named "Functional worker …", by id.</summary>
    static Dictionary<string, long> WorkerTicks()
    {
        var ticks = new Dictionary<string, long>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                // The kernel keeps 15 characters of a thread's name.
                if (
                    !File.ReadAllText(Path.Combine(task, "comm"))
                        .StartsWith("Functional work", StringComparison.Ordinal)
                )
                    continue;
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // After "pid (comm) ", field 3 (state) is fields[0]: utime is field 14, stime field 15.
                ticks[Path.GetFileName(task)] =
                    long.Parse(fields[11], CultureInfo.InvariantCulture)
                    + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the thread ended between listing and reading
            }
        }
        return ticks;
    }
}
