using System.Diagnostics;
using Functional.Kernels;

namespace Functional.Benchmarks;

/// <summary>
/// Paired A/B of one GEMM shape: blocks of calls (≥ 30 ms each) alternate an experiment switch off and on
/// (<see cref="Paired"/>); prints the median GFLOP/s of each and their ratio.
/// Usage: gemmtoggle experiment m k n transA(0|1) transB(0|1) threads [pairs]
/// </summary>
internal static class GemmToggle
{
    public static int Run(string[] args)
    {
        if (
            !Paired.TryStart(
                args,
                6,
                "gemmtoggle experiment m k n transA(0|1) transB(0|1) threads [pairs]",
                out var set
            )
        )
            return 2;
        var (m, k, n) = (Paired.Arg(args, 1, 0), Paired.Arg(args, 2, 0), Paired.Arg(args, 3, 0));
        var (ta, tb) = (args[4] == "1", args[5] == "1");
        var (threads, pairs) = (Paired.Arg(args, 6, 2), Paired.Arg(args, 7, 15));
        var (a, b) = GemmRate.Operands(new Random(0), m, k, n);
        var c = new double[m * n];
        void F() => Gemm.Multiply(ta, tb, m, n, k, 1.0, a, ta ? k : m, b, tb ? n : k, 0.0, c, m, threads);
        F();
        var reps = GemmRate.CallsLasting(F, 0.03);
        var flops = 2.0 * m * n * k;
        var (off, on) = Paired.Run(
            set,
            pairs,
            () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < reps; i++)
                    F();
                return Stopwatch.GetElapsedTime(t0).TotalSeconds / reps;
            }
        );
        var (offRate, onRate) = (flops / off / 1e9, flops / on / 1e9);
        Console.WriteLine(
            FormattableString.Invariant(
                $"{args[0]} {m}x{k}x{n} t={threads}: off {offRate:F1} GFLOP/s, on {onRate:F1}, on/off {onRate / offRate:F3}"
            )
        );
        return 0;
    }
}
