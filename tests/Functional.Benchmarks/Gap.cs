using System.Diagnostics;
using Functional.Core;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>
/// Where the loop loses time against the isolated step: the same step timed with the state advancing or fixed and
/// the batch varying or fixed. Usage: gap [workload] [steps]
/// </summary>
internal static class Gap
{
    public static int Run(string[] args)
    {
        var w = Data.Get(args.Length > 0 ? args[0] : "two-layer");
        var n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000;
        var s0 = w.Start();
        for (var i = 0; i < 300; i++)
            s0 = Train.Step(w.Net, w.Opt, s0, w.Train, w.Batches).State;
        var idx = w.Batches.At(s0.Key, s0.Step);
        var x = Mat.Rows(w.Train.X, idx);
        var t = Mat.Rows(w.Train.T, idx);
        var cases = new (string Name, Func<TrainState, int, TrainState> Step)[]
        {
            ("advance, batches vary", (s, i) => Train.Step(w.Net, w.Opt, s, w.Train, w.Batches).State),
            ("advance, one batch   ", (s, i) => Train.Step(w.Net, w.Opt, s, x, t).State),
            (
                "fixed,   batches vary",
                (s, i) =>
                {
                    Train.Step(w.Net, w.Opt, s0 with { Step = s0.Step + i }, w.Train, w.Batches);
                    return s;
                }
            ),
            (
                "fixed,   one batch   ",
                (s, i) =>
                {
                    Train.Step(w.Net, w.Opt, s0, x, t);
                    return s;
                }
            ),
            (
                "gather,  batches vary",
                (s, i) =>
                {
                    var ix = w.Batches.At(s0.Key, s0.Step + i);
                    Mat.Rows(w.Train.X, ix);
                    Mat.Rows(w.Train.T, ix);
                    return s;
                }
            ),
            (
                "gather,  one batch   ",
                (s, i) =>
                {
                    var ix = w.Batches.At(s0.Key, s0.Step);
                    Mat.Rows(w.Train.X, ix);
                    Mat.Rows(w.Train.T, ix);
                    return s;
                }
            ),
            (
                "fwd,     batches vary",
                (s, i) =>
                {
                    var ix = w.Batches.At(s0.Key, s0.Step + i);
                    w.Net.Forward(s0.Params, s0.Model, Mat.Rows(w.Train.X, ix), Functional.Layers.Ctx.Train(s0.Key));
                    return s;
                }
            ),
            (
                "fwd,     one batch   ",
                (s, i) =>
                {
                    var ix = w.Batches.At(s0.Key, s0.Step);
                    w.Net.Forward(s0.Params, s0.Model, Mat.Rows(w.Train.X, ix), Functional.Layers.Ctx.Train(s0.Key));
                    return s;
                }
            ),
            (
                "grads,   batches vary",
                (s, i) =>
                {
                    var ix = w.Batches.At(s0.Key, s0.Step + i);
                    w.Net.LossAndGrads(
                        s0.Params,
                        s0.Model,
                        Mat.Rows(w.Train.X, ix),
                        Mat.Rows(w.Train.T, ix),
                        Functional.Layers.Ctx.Train(s0.Key)
                    );
                    return s;
                }
            ),
            (
                "grads,   one batch   ",
                (s, i) =>
                {
                    var ix = w.Batches.At(s0.Key, s0.Step);
                    w.Net.LossAndGrads(
                        s0.Params,
                        s0.Model,
                        Mat.Rows(w.Train.X, ix),
                        Mat.Rows(w.Train.T, ix),
                        Functional.Layers.Ctx.Train(s0.Key)
                    );
                    return s;
                }
            ),
        };
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
                Console.WriteLine(
                    $"{name} {us, 9:F1} µs/step  gen0/step {(GC.CollectionCount(0) - g0) / (double)n:F3}  pause {(GC.GetTotalPauseDuration() - p0).TotalMicroseconds / n, 6:F1} µs/step"
                );
            }
        var st2 = s0;
        var seen = GC.CollectionCount(0);
        foreach (var r in Train.Steps(w.Net, w.Opt, s0, w.Train, w.Batches, s0.Step + 400))
        {
            st2 = r.State;
            if (GC.CollectionCount(0) != seen)
            {
                seen = GC.CollectionCount(0);
                var info = GC.GetGCMemoryInfo(GCKind.Any);
                Console.WriteLine(
                    $"GC #{info.Index} gen{info.Generation} promoted {info.PromotedBytes / 1024, 6} KB pause {info.PauseDurations[0].TotalMicroseconds, 7:F0} µs  gen0 {info.GenerationInfo[0].SizeAfterBytes / 1024} KB gen1 {info.GenerationInfo[1].SizeAfterBytes / 1024} KB"
                );
            }
        }
        var keep = s0;
        for (var r = 0; r < 3; r++)
        {
            var t1 = Stopwatch.GetTimestamp();
            for (var i = 0; i < 50; i++)
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            Console.WriteLine(
                $"GC.Collect(0) with the state alive: {Stopwatch.GetElapsedTime(t1).TotalMicroseconds / 50, 7:F1} µs each"
            );
        }
        GC.KeepAlive(keep);
        return 0;
    }
}
