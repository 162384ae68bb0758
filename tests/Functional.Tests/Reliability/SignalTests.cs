using System.Globalization;
using Functional.Tests.Cli;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>
/// Signals to a running `fnn train` (the built DLL as a child process) at fixed moments from its start, including
/// before the data is loaded: once the entry point runs, SIGINT and SIGTERM end in exit 130 with a loadable
/// checkpoint (earlier, while the runtime starts, the process ends with nothing written); after SIGKILL
/// the next run into the directory removes the dead writer's temporary and resumes.
/// </summary>
public sealed class SignalTests
{
    [Theory]
    [InlineData(Fnn.SIGINT, 100)]
    [InlineData(Fnn.SIGINT, 300)]
    [InlineData(Fnn.SIGINT, 700)]
    [InlineData(Fnn.SIGINT, 1500)]
    [InlineData(Fnn.SIGTERM, 100)]
    [InlineData(Fnn.SIGTERM, 300)]
    [InlineData(Fnn.SIGTERM, 700)]
    [InlineData(Fnn.SIGTERM, 1500)]
    public void An_interrupt_at_any_moment_exits_130_with_a_loadable_checkpoint(int signal, int afterMs)
    {
        var dir = InProcess.Fresh("sig");
        using var child = Fnn.Start(["train", "--epochs", "200", "--out", dir]);
        Thread.Sleep(afterMs);
        child.Signal(signal);
        var r = child.Wait(TimeSpan.FromSeconds(60));
        if (r.Err.Length == 0 && r.Out.Length == 0 && !Directory.Exists(dir))
        {
            // Delivered while the runtime was still starting, before the entry point could listen: the default
            // action ends the process (128 + signal) before anything was read or written, so nothing is lost.
            Assert.True(afterMs <= 300, $"a signal {afterMs} ms after the start found the CLI not listening yet");
            Assert.Equal(128 + signal, r.Code);
            return;
        }
        Assert.True(r.Code == 130, $"exit {r.Code}; stderr: {r.Err}");
        Assert.Contains("resume with:", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.True(Checkpoint.Load(Path.Combine(dir, "model.ckpt")).IsSucc);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }

    [Theory]
    [InlineData(700)]
    [InlineData(1500)]
    public void After_SIGKILL_the_next_run_removes_the_dead_writers_temporary_and_resumes(int afterMs)
    {
        var dir = InProcess.Fresh("kill");
        int pid;
        // Long enough (a few seconds) that the kill lands while it trains, however fast the machine.
        using (var child = Fnn.Start(["train", "--epochs", "400", "--out", dir]))
        {
            pid = child.Pid;
            if (!child.WaitForOutput("epoch    1", TimeSpan.FromSeconds(60)))
            {
                var early = child.Wait(TimeSpan.FromSeconds(60));
                Assert.Fail($"no epoch line; exit {early.Code}\nstdout: {early.Out}\nstderr: {early.Err}");
            }
            Thread.Sleep(afterMs / 10);
            child.Signal(Fnn.SIGKILL);
            Assert.Equal(137, child.Wait(TimeSpan.FromSeconds(30)).Code);
        }
        var ckpt = Path.Combine(dir, "model.ckpt");
        Assert.True(Checkpoint.Load(ckpt).IsSucc);
        // What a kill between creating and renaming the temporary leaves. Linux hands out process and thread ids
        // from one small space (pid_max, 32768 here), so on a busy machine the killed id may already belong to a live
        // thread; then an id above pid_max, which no process can hold, stands for the dead writer.
        if (Directory.Exists($"/proc/{pid}"))
            pid = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture) + 1;
        var stale = $"{ckpt}.tmp-{pid}-0123456789ab";
        File.WriteAllBytes(stale, [1, 2, 3]);
        var r = Fnn.Run(["train", "--resume", ckpt, "--out", dir]);
        Assert.True(r.Code == 0, r.Err);
        Assert.False(File.Exists(stale), "the dead writer's temporary is still there");
    }
}
