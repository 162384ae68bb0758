using System.Diagnostics;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>
/// A quick Stopwatch loop (no BenchmarkDotNet): for each workload, warm up, then time N steps of the library's loop
/// (<see cref="Train.Run"/>, with its GC pacing and recycling)
/// and report µs/step (best of repeats) and bytes allocated per step on this thread.
/// Usage: quick [steps] [workload…]. The warm-up runs QUICK_WARMUP steps (default 300), then the timed loop itself
/// until a second has passed: the runtime moves hot methods to optimized code only after a delay, and a small step timed before that
/// (W5's 6 µs step read 16–18 µs at 2000 steps) measures the JIT, not the code.
/// </summary>
internal static class Quick
{
    public static int Run(string[] args)
    {
        var steps = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 2000;
        var names = args.Length > 1 ? args[1..] : ["digits-bn", "regression", "two-layer", "optimizers-adam"];
        foreach (var name in names)
        {
            var w = Data.Get(name);
            var state = w.Start();
            var warm = Environment.GetEnvironmentVariable("QUICK_WARMUP") is string ws
                ? int.Parse(ws, System.Globalization.CultureInfo.InvariantCulture)
                : 300;
            var warmClock = Stopwatch.StartNew();
            for (var i = 0; i < warm; i++)
                state = Train.Step(w.Net, w.Opt, state, w.Train, w.Batches).State;
            while (warmClock.ElapsedMilliseconds < 1000) // the timed loop itself, until its code is optimized
                state = Train.Run(w.Net, w.Opt, state, w.Train, w.Batches, state.Step + 100, gc: GcPacing.Nursery).State;
            var best = double.MaxValue;
            var bestCpu = double.MaxValue;
            long bytes = 0;
            double gcs = 0,
                pause = 0;
            (int Gen1, int Gen2) older = (0, 0);
            for (var rep = 0; rep < 5; rep++)
            {
                var st = state;
                var a0 = GC.GetAllocatedBytesForCurrentThread();
                var c0 = Environment.CpuUsage.UserTime + Environment.CpuUsage.PrivilegedTime;
                var g0 = GC.CollectionCount(0);
                var (h0, k0) = (GC.CollectionCount(1), GC.CollectionCount(2));
                var p0 = GC.GetTotalPauseDuration();
                var t0 = Stopwatch.GetTimestamp();
                st = Train.Run(w.Net, w.Opt, st, w.Train, w.Batches, st.Step + steps, gc: GcPacing.Nursery).State;
                var us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / steps;
                gcs = (GC.CollectionCount(0) - g0) / (double)steps;
                older = (GC.CollectionCount(1) - h0, GC.CollectionCount(2) - k0);
                pause = (GC.GetTotalPauseDuration() - p0).TotalMicroseconds / steps;
                var cpu =
                    (Environment.CpuUsage.UserTime + Environment.CpuUsage.PrivilegedTime - c0).TotalMicroseconds
                    / steps;
                bestCpu = Math.Min(bestCpu, cpu);
                bytes = (GC.GetAllocatedBytesForCurrentThread() - a0) / steps;
                best = Math.Min(best, us);
            }
            Console.WriteLine(
                $"{name, -22} {best, 9:F2} µs/step wall (best of 5) {bestCpu, 9:F2} µs CPU/step {bytes, 10:N0} B/step  {gcs:F3} gen0 GCs/step, GC pause {pause:F1} µs/step, gen1/gen2 GCs {older.Gen1}/{older.Gen2} (last repeat)"
            );
        }
        return 0;
    }
}
