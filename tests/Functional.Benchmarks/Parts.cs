using System.Diagnostics;
using Functional.Core;
using Functional.Layers;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>Times the parts of one training step separately (gather, forward, loss, backward, update). Usage: parts [workload] [reps]</summary>
internal static class Parts
{
    public static int Run(string[] args)
    {
        var w = Data.Get(args.Length > 0 ? args[0] : "digits-bn");
        var reps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        var (s, idx, x, t) = Data.Warm(w, 200);
        var ctx = Ctx.Train(s.Key);
        var f = w.Net.Forward(s.Params, s.Model, x, ctx);
        var (loss, lc) = w.Net.Loss.Forward(f.Scores, t);
        var d = w.Net.Loss.Backward(lc);
        var (_, g) = w.Net.Backward(s.Params, f.Caches, d);
        void Time(string name, Action a)
        {
            for (var i = 0; i < reps / 10; i++)
                a();
            var best = double.MaxValue;
            for (var r = 0; r < 5; r++)
            {
                var b0 = GC.GetAllocatedBytesForCurrentThread();
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < reps; i++)
                    a();
                best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds / reps);
                if (r == 4)
                    Console.WriteLine(
                        $"{name, -14} {best, 9:F2} µs  {(GC.GetAllocatedBytesForCurrentThread() - b0) / reps, 10:N0} B"
                    );
            }
        }
        Time("Data(X)", () => Mat.Data(w.Train.X));
        Time("rows X", () => Mat.Rows(w.Train.X, idx));
        Time("rows T", () => Mat.Rows(w.Train.T, idx));
        Time("new 10x64", () => Tensor.Zeros(10, 64));
        Time("batch index", () => w.Batches.At(s.Key, s.Step));
        Time(
            "gather x,t",
            () =>
            {
                Mat.Rows(w.Train.X, idx);
                Mat.Rows(w.Train.T, idx);
            }
        );
        Time("forward", () => w.Net.Forward(s.Params, s.Model, x, ctx));
        Time("loss fwd+bwd", () => w.Net.Loss.Backward(w.Net.Loss.Forward(f.Scores, t).Cache));
        Time("backward", () => w.Net.Backward(s.Params, f.Caches, d));
        Time("LossAndGrads", () => w.Net.LossAndGrads(s.Params, s.Model, x, t, ctx));
        Time(
            "finite check",
            () =>
            {
                foreach (var (_, m) in g.Values)
                    Functional.Kernels.Elementwise.AllFinite(Mat.Data(m));
            }
        );
        Time("update", () => Functional.Optim.Optimizers.Update(w.Opt, s.Opt, s.Params, g));
        Time("Train.Step", () => Train.Step(w.Net, w.Opt, s, x, t));
        Time("Step+gather", () => Train.Step(w.Net, w.Opt, s, w.Train, w.Batches));
        return 0;
    }
}
