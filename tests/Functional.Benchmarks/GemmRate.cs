using System.Diagnostics;
using Functional.Kernels;

namespace Functional.Benchmarks;

/// <summary>
/// GFLOP/s of the GEMM on the peers' W6 shapes, timed like w6_gemm.py: a block of calls lasting ≥ 50 ms, nine
/// blocks, median (and best) of the blocks; the output buffer is reused. Usage: gemm [threads…]
/// </summary>
internal static class GemmRate
{
    static readonly (string Name, int M, int K, int N, bool Ta, bool Tb)[] Shapes =
    [
        ("1024^3", 1024, 1024, 1024, false, false),
        ("256^3", 256, 256, 256, false, false),
        ("mlp_fwd 128x784@784x100", 128, 784, 100, false, false),
        ("mlp_dW 784x128@128x100 (A=x.T)", 784, 128, 100, true, false),
        ("mlp_dX 128x100@100x784 (B=W.T)", 128, 100, 784, false, true),
        ("digits 10x64@64x32", 10, 64, 32, false, false),
        ("digits dW 64x10@10x32 (A=x.T)", 64, 10, 32, true, false),
        ("two-layer fwd 100x784@784x50", 100, 784, 50, false, false),
        ("two-layer dW 784x100@100x50 (A=x.T)", 784, 100, 50, true, false),
        ("opt fwd 128x100@100x100", 128, 100, 100, false, false),
        ("opt dW 100x128@128x100 (A=x.T)", 100, 128, 100, true, false),
        ("opt dX 128x100@100x100 (B=W.T)", 128, 100, 100, false, true),
    ];

    public static int Run(string[] args)
    {
        var threads = args.Length > 0 ? args.Select(int.Parse).ToArray() : [1, 2];
        var r = new Random(0);
        var only = Environment.GetEnvironmentVariable("GEMM_ONLY"); // only the shapes whose name contains it
        foreach (var t in threads)
        foreach (var (name, m, k, n, ta, tb) in Shapes)
        {
            if (only is not null && !name.Contains(only, StringComparison.Ordinal))
                continue;
            var (a, b) = Operands(r, m, k, n);
            var c = new double[m * n];
            void F() => Gemm.Multiply(ta, tb, m, n, k, 1.0, a, ta ? k : m, b, tb ? n : k, 0.0, c, m, t);
            F();
            F();
            var reps = CallsLasting(F, 0.05);
            var samples = new double[9];
            for (var s = 0; s < samples.Length; s++)
            {
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < reps; i++)
                    F();
                samples[s] = Stopwatch.GetElapsedTime(t0).TotalSeconds / reps;
            }
            Array.Sort(samples);
            var flops = 2.0 * m * n * k;
            Console.WriteLine(
                FormattableString.Invariant(
                    $"W6 ours   float64  t={t} {name, -34} {flops / samples[4] / 1e9, 7:F1} GFLOP/s (best {flops / samples[0] / 1e9:F1})"
                )
            );
        }
        return 0;
    }

    /// <summary>Random operands in [-0.5, 0.5) for an m×k by k×n product (either storage order: only sizes matter).</summary>
    internal static (double[] A, double[] B) Operands(Random r, int m, int k, int n) =>
        (
            Enumerable.Range(0, m * k).Select(_ => r.NextDouble() - 0.5).ToArray(),
            Enumerable.Range(0, k * n).Select(_ => r.NextDouble() - 0.5).ToArray()
        );

    /// <summary>The number of calls of <paramref name="f"/> (a power of two) that lasts at least
    /// <paramref name="seconds"/>.</summary>
    internal static int CallsLasting(Action f, double seconds)
    {
        var reps = 1;
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            for (var i = 0; i < reps; i++)
                f();
            if (Stopwatch.GetElapsedTime(t0).TotalSeconds >= seconds)
                return reps;
            reps *= 2;
        }
    }
}
