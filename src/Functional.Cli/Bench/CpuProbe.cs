using System.Diagnostics;
using System.Globalization;

namespace Functional.Cli.Bench;

/// <summary>
/// How much CPU the rest of the machine used while a timed repeat ran — the same contamination check as the peers'
/// harness (shared/bench/peers/benchutil.py): busy jiffies of /proc/stat minus this process's own CPU time. A repeat
/// during which other processes kept more than a tenth of a core busy is "disturbed" and re-run, so that ours and the
/// peers' medians are taken over equally clean repeats.
/// </summary>
internal readonly record struct CpuProbe(double BusySeconds, double OwnSeconds, long Timestamp)
{
    /// <summary>Foreign CPU-seconds per wall-second above which a repeat counts as disturbed (peers: 0.10).</summary>
    public const double ForeignLimit = 0.10;

    // USER_HZ: the unit of /proc/stat on Linux (sysconf(_SC_CLK_TCK) is 100 on every mainstream kernel).
    const double ClockTicks = 100.0;

    public static CpuProbe Start() => new(BusyJiffies() / ClockTicks, OwnCpu(), Stopwatch.GetTimestamp());

    /// <summary>Wall seconds and foreign CPU-seconds since <see cref="Start"/> (0 foreign where /proc/stat is absent).</summary>
    public (double Wall, double Foreign) Stop()
    {
        var wall = Stopwatch.GetElapsedTime(Timestamp).TotalSeconds;
        var busy = BusyJiffies() / ClockTicks - BusySeconds;
        var own = OwnCpu() - OwnSeconds;
        return (wall, Math.Max(0.0, busy - own));
    }

    /// <summary>Waits (at most <paramref name="maxSeconds"/>) until other processes use under a tenth of a core.</summary>
    public static void WaitQuiet(double maxSeconds = 90)
    {
        var t0 = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < maxSeconds)
        {
            var p = Start();
            Thread.Sleep(500);
            var (wall, foreign) = p.Stop();
            if (foreign / wall < ForeignLimit)
                return;
        }
    }

    static double OwnCpu()
    {
        var u = Environment.CpuUsage;
        return (u.UserTime + u.PrivilegedTime).TotalSeconds;
    }

    static long BusyJiffies()
    {
        try
        {
            // "cpu  user nice system idle iowait irq softirq steal ..."
            using var f = new StreamReader("/proc/stat");
            var parts = f.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long V(int i) => i < parts.Length ? long.Parse(parts[i], CultureInfo.InvariantCulture) : 0;
            return V(1) + V(2) + V(3) + V(6) + V(7);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
