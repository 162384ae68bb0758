using System.Diagnostics;
using Functional.Core;
using Functional.Layers;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>
/// Where the loop loses time against the isolated step: the step (and its gather, forward and gradients apart) timed
/// with the state advancing or fixed and the batch changing every step or the same one over and over; then every
/// collection of a 400-step loop (generation, promoted bytes, pause) and the cost of an empty collection.
/// Usage: gap [workload] [steps]
/// </summary>
internal static class Gap
{
    public static int Run(string[] args)
    {
        var w = Data.Get(args.Length > 0 ? args[0] : "two-layer");
        var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var (s0, _, x, t) = Data.Warm(w, 300);
        var ctx = Ctx.Train(s0.Key);
        var cases = new List<(string Name, Func<TrainState, int, TrainState> Step)>
        {
            ("step,    advance, batches vary", (s, i) => Train.Step(w.Net, w.Opt, s, w.Train, w.Batches).State),
            ("step,    advance, one batch   ", (s, i) => Train.Step(w.Net, w.Opt, s, x, t).State),
        };
        // The same work on the fixed state s0, with step i's batch or with s0's batch every time.
        void Both(string name, Action<int[]> work)
        {
            cases.Add(($"{name, -8} fixed,   batches vary", (s, i) => Run(s, w.Batches.At(s0.Key, s0.Step + i))));
            cases.Add(($"{name, -8} fixed,   one batch   ", (s, i) => Run(s, w.Batches.At(s0.Key, s0.Step))));
            TrainState Run(TrainState s, int[] ix)
            {
                work(ix);
                return s;
            }
        }
        Both("step,", ix => Train.Step(w.Net, w.Opt, s0, Mat.Rows(w.Train.X, ix), Mat.Rows(w.Train.T, ix)));
        Both(
            "gather,",
            ix =>
            {
                Mat.Rows(w.Train.X, ix);
                Mat.Rows(w.Train.T, ix);
            }
        );
        Both("forward,", ix => w.Net.Forward(s0.Params, s0.Model, Mat.Rows(w.Train.X, ix), ctx));
        Both(
            "grads,",
            ix => w.Net.LossAndGrads(s0.Params, s0.Model, Mat.Rows(w.Train.X, ix), Mat.Rows(w.Train.T, ix), ctx)
        );
        for (var round = 0; round < 3; round++)
            foreach (var (name, step) in cases)
            {
                var s = s0;
                var g0 = GC.CollectionCount(0);
                var p0 = GC.GetTotalPauseDuration();
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < n; i++)
                    s = step(s, i);
                var us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / n;
                var pause = (GC.GetTotalPauseDuration() - p0).TotalMicroseconds / n;
                Console.WriteLine(
                    $"{name} {us, 9:F1} µs/step  gen0/step {(GC.CollectionCount(0) - g0) / (double)n:F3}  pause {pause, 6:F1} µs/step"
                );
            }
        var seen = GC.CollectionCount(0);
        foreach (var _ in Train.Steps(w.Net, w.Opt, s0, w.Train, w.Batches, s0.Step + 400, gc: GcPacing.Nursery))
        {
            if (GC.CollectionCount(0) == seen)
                continue;
            seen = GC.CollectionCount(0);
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            Console.WriteLine(
                $"GC #{info.Index} gen{info.Generation} promoted {info.PromotedBytes / 1024, 6} KB pause {info.PauseDurations[0].TotalMicroseconds, 7:F0} µs"
            );
        }
        for (var r = 0; r < 3; r++)
        {
            var t1 = Stopwatch.GetTimestamp();
            for (var i = 0; i < 50; i++)
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            Console.WriteLine(
                $"GC.Collect(0), the state alive: {Stopwatch.GetElapsedTime(t1).TotalMicroseconds / 50, 7:F1} µs each"
            );
        }
        GC.KeepAlive(s0);
        return 0;
    }
}
