using System.Diagnostics;
using Functional.LinearAlgebra;

namespace Functional.Benchmarks;

/// <summary>
/// Dense vs zero-skipping GEMM on the training shapes with half of op(A) zero, interleaved A/B, one thread.
/// Usage: sparse [threads] [zero fraction]
/// </summary>
internal static class SparseRate
{
    public static int Run(string[] args)
    {
        var threads = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1;
        var zeros = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0.5;
        (string Name, bool Ta, bool Tb, int M, int N, int K)[] shapes =
        [
            ("fwd X·W 100x784·784x50", false, false, 100, 50, 784),
            ("dW Xᵀ·dZ 784x100·100x50", true, false, 784, 50, 100),
            ("fwd 128x784·784x100", false, false, 128, 100, 784),
            ("dW 784x128·128x100", true, false, 784, 100, 128),
            ("hidden fwd 128x100·100x100", false, false, 128, 100, 100),
            ("hidden dX 128x100·(100x100)ᵀ", false, true, 128, 100, 100),
        ];
        var rng = new Random(5);
        foreach (var (name, ta, tb, m, n, k) in shapes)
        {
            var a = new double[m * k];
            for (var i = 0; i < a.Length; i++)
                a[i] = rng.NextDouble() < zeros ? 0.0 : rng.NextDouble() - 0.5;
            var b = new double[k * n];
            for (var i = 0; i < b.Length; i++)
                b[i] = rng.NextDouble() - 0.5;
            var c = new double[m * n];
            void Run() => Gemm.Multiply(ta, tb, m, n, k, 1.0, a, ta ? k : m, b, tb ? n : k, 0.0, c, m, threads);
            double Time(bool sparse)
            {
                Gemm.SparseEnabled = sparse;
                var reps = Math.Max(20, (int)(2e8 / ((double)m * n * k)));
                for (var i = 0; i < reps / 5; i++)
                    Run();
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < reps; i++)
                    Run();
                return Stopwatch.GetElapsedTime(t0).TotalMicroseconds / reps;
            }
            var dense = double.MaxValue;
            var sp = double.MaxValue;
            for (var r = 0; r < 7; r++)
            {
                dense = Math.Min(dense, Time(false));
                sp = Math.Min(sp, Time(true));
            }
            Gemm.SparseEnabled = true;
            var gflop = 2.0 * m * n * k / 1e3;
            Console.WriteLine(
                $"{name, -32} dense {dense, 8:F1} µs ({gflop / dense, 5:F1} GF/s)   sparse {sp, 8:F1} µs   sparse/dense {sp / dense:F2}"
            );
        }
        return 0;
    }
}
