using System.Diagnostics;
using Functional.LinearAlgebra;

namespace Functional.Benchmarks;

/// <summary>Paired A/B of a GEMM switch: blocks of calls alternate off/on. Usage: gemmtoggle experiment m k n ta tb threads [pairs]</summary>
internal static class GemmToggle
{
    public static int Run(string[] args)
    {
        var set = Experiments.Get(args[0]);
        int m = int.Parse(args[1]),
            k = int.Parse(args[2]),
            n = int.Parse(args[3]);
        bool ta = args[4] == "1",
            tb = args[5] == "1";
        int t = int.Parse(args[6]);
        int pairs = args.Length > 7 ? int.Parse(args[7]) : 15;
        var r = new Random(0);
        var a = Enumerable.Range(0, m * k).Select(_ => r.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => r.NextDouble() - 0.5).ToArray();
        var c = new double[m * n];
        void F() => Gemm.Multiply(ta, tb, m, n, k, 1.0, a, ta ? k : m, b, tb ? n : k, 0.0, c, m, t);
        F();
        var reps = 1;
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < reps; i++)
                F();
            if (Stopwatch.GetElapsedTime(t0).TotalSeconds >= 0.03)
                break;
            reps *= 2;
        }
        var times = new[] { new List<double>(), new List<double>() };
        for (var p = 0; p < pairs; p++)
        for (var h = 0; h < 2; h++)
        {
            var on = (p + h) % 2 == 1;
            set(on);
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < reps; i++)
                F();
            times[on ? 1 : 0].Add(Stopwatch.GetElapsedTime(t0).TotalSeconds / reps);
        }
        set(false);
        double Median(List<double> x) => x.Order().ElementAt(x.Count / 2);
        var flops = 2.0 * m * n * k;
        var (off, onr) = (flops / Median(times[0]) / 1e9, flops / Median(times[1]) / 1e9);
        Console.WriteLine(
            FormattableString.Invariant(
                $"{args[0]} {m}x{k}x{n} t={t}: off {off:F1} GFLOP/s, on {onr:F1}, on/off {onr / off:F3}"
            )
        );
        return 0;
    }
}
