using System.Diagnostics;
using Functional.Core;

namespace Functional.Benchmarks;

/// <summary>The scratch batch gather (Mat.RowsInto) alone, with fresh random rows each call; the training loop now
/// defers a palette-coded batch to the first product instead (DeferredRows). Usage: gather [workload] [reps]</summary>
internal static class GatherProbe
{
    public static int Run(string[] args)
    {
        var w = Data.Get(args.Length > 0 ? args[0] : "two-layer");
        var reps = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5000;
        var s = w.Start();
        var scratch = new StepScratch();
        var n = w.Train.X.RowCount;
        var batch = w.Batches.At(s.Key, 0).Length;
        var r = new Random(1);
        var idx = Enumerable
            .Range(0, 9 * reps)
            .Select(_ => Enumerable.Range(0, batch).Select(_ => r.Next(n)).ToArray())
            .ToArray();
        for (var round = 0; round < 9; round++)
        {
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < reps; i++)
            {
                scratch.Reset();
                Mat.RowsInto(w.Train.X, idx[round * reps + i], scratch);
            }
            Console.WriteLine(
                $"gather {batch}x{w.Train.X.ColumnCount}: {Stopwatch.GetElapsedTime(t0).TotalMicroseconds / reps:F2} µs"
            );
        }
        return 0;
    }
}
