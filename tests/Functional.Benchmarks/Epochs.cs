using System.Diagnostics;
using Functional.Cli;
using Functional.Cli.Bench;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>The `train` command's loop (Train.Epochs with per-epoch evaluation) timed the way it times it.</summary>
internal static class EpochsLoop
{
    public static int Run(string[] args)
    {
        var data = DataSources.Load("digits", null, 1);
        var w = Workloads.DigitsBn(data.Train);
        var evalEvery = args.Length > 0 && args[0] == "noeval";
        for (var rep = 0; rep < 3; rep++)
        {
            var stepTicks = 0L;
            var n = 0L;
            var mark = Stopwatch.GetTimestamp();
            var gc0 = GC.CollectionCount(0);
            var per = new List<double>();
            foreach (
                var e in Train.Epochs(
                    w.Net,
                    w.Opt,
                    w.Start(),
                    data,
                    w.Batches,
                    w.Steps,
                    r =>
                    {
                        var now = Stopwatch.GetTimestamp();
                        stepTicks += now - mark;
                        per.Add(Stopwatch.GetElapsedTime(mark, now).TotalMicroseconds);
                        mark = now;
                        n++;
                    }
                )
            )
                mark = Stopwatch.GetTimestamp();
            double Mean(int a, int b) => per.Skip(a).Take(b - a).Average();
            if (rep == 0)
                Console.WriteLine(
                    $"cold run: step 1 {per[0]:F0} µs; steps 2-100 {Mean(1, 100):F1}; 100-1000 {Mean(100, 1000):F1}; 1000-3000 {Mean(1000, 3000):F1}; 3000-6000 {Mean(3000, 6000):F1}; 6000-13500 {Mean(6000, per.Count):F1} µs/step"
                );
            Console.WriteLine(
                $"epochs loop: {Stopwatch.GetElapsedTime(0, stepTicks).TotalMicroseconds / n:F2} µs/step, gen0 GCs {GC.CollectionCount(0) - gc0}"
            );
        }
        return 0;
    }
}
