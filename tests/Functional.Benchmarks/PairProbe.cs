using System.Diagnostics;
using Functional.Kernels;

namespace Functional.Benchmarks;

/// <summary>
/// A layer's two backward products (Xᵀ·dY and dY·Wᵀ) one after the other, each split over the threads, against
/// <see cref="Gemm.MultiplyBoth"/> (one product per thread), on the workloads' layer shapes. Usage: pair
/// </summary>
internal static class PairProbe
{
    public static int Run(string[] args)
    {
        var r = new Random(0);
        double[] Values(int n) => Enumerable.Range(0, n).Select(_ => r.NextDouble() - 0.5).ToArray();
        foreach (
            var (batch, inputs, outputs) in new[] { (128, 100, 100), (128, 100, 10), (100, 50, 10), (128, 784, 100) }
        )
        {
            var x = Values(batch * inputs);
            var w = Values(inputs * outputs);
            var dy = Values(batch * outputs);
            var dw = new double[inputs * outputs];
            var dx = new double[batch * inputs];
            var p = new Gemm.Product(true, false, inputs, outputs, batch, x, batch, dy, batch, dw, inputs);
            var q = new Gemm.Product(false, true, batch, inputs, outputs, dy, batch, w, inputs, dx, batch);
            void Split()
            {
                Gemm.Multiply(true, false, inputs, outputs, batch, 1.0, x, batch, dy, batch, 0.0, dw, inputs);
                Gemm.Multiply(false, true, batch, inputs, outputs, 1.0, dy, batch, w, inputs, 0.0, dx, batch);
            }
            void Both() => Gemm.MultiplyBoth(p, q);
            foreach (
                var (name, f) in new (string, Action)[]
                {
                    ("split", Split),
                    ("both", Both),
                    ("split", Split),
                    ("both", Both),
                }
            )
            {
                for (var i = 0; i < 200; i++)
                    f();
                var best = double.MaxValue;
                for (var s = 0; s < 7; s++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    for (var i = 0; i < 500; i++)
                        f();
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMicroseconds / 500);
                }
                var flops = 4.0 * batch * inputs * outputs;
                Console.WriteLine(
                    FormattableString.Invariant(
                        $"batch {batch, 3}, {inputs, 3}→{outputs, -3} {name, -5} {best, 8:F2} µs  {flops / best / 1e3, 6:F1} GFLOP/s (best of 7)"
                    )
                );
            }
        }
        return 0;
    }
}
