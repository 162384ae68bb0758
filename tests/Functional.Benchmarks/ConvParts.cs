using System.Diagnostics;
using Functional.Kernels;

namespace Functional.Benchmarks;

/// <summary>Times the products of a SimpleConvNet step one by one at their shapes (GFLOP/s each). Usage: convparts</summary>
internal static class ConvParts
{
    public static int Run(string[] args)
    {
        if (Environment.GetEnvironmentVariable("CONVPARTS_THREADS") is { Length: > 0 } th)
            MathNet.Numerics.Control.MaxDegreeOfParallelism = int.Parse(
                th,
                System.Globalization.CultureInfo.InvariantCulture
            );
        var rng = new Random(1);
        double[] R(int n) => [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
        void Time(string name, bool ta, bool tb, int m, int n, int k)
        {
            var a = R(m * k);
            var b = R(k * n);
            var c = new double[m * n];
            var p = new Gemm.Product(ta, tb, m, n, k, a, ta ? k : m, b, tb ? n : k, c, m);
            var best = Best(() => Gemm.Multiply(p));
            Console.WriteLine(
                $"{name, -34} {m, 6}×{n, -5} k {k, -6} {best, 8:F3} ms  {2.0 * m * n * k / best / 1e6, 7:F1} GFLOP/s"
            );
        }
        // Milliseconds per call of a, best of 7 rounds of 10 after 5 to warm up.
        static double Best(Action a)
        {
            for (var i = 0; i < 5; i++)
                a();
            var best = double.MaxValue;
            for (var r = 0; r < 7; r++)
            {
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < 10; i++)
                    a();
                best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMilliseconds / 10);
            }
            return best;
        }
        Time("conv forward col·W", false, false, 57600, 30, 25);
        TimeShifted();
        Time("conv dW colᵀ·dY (not used)", true, false, 25, 30, 57600);
        Time("conv dWᵀ dYᵀ·col (Conv2D's)", true, false, 30, 25, 57600);
        TimeListed();
        Time("fc1 forward x·W", false, false, 100, 100, 4320);
        Time("fc1 dW xᵀ·dY", true, false, 4320, 100, 100);
        Time("fc1 dX dY·Wᵀ", false, true, 100, 4320, 100);
        Time("1024³ reference", false, false, 1024, 1024, 1024);
        return 0;

        // The training step's convolution forward: per output row (24 of them, 2400 rows of col each) the shifted
        // product reading the 100 images (1×28×28, sample-fastest) in place, bias and ReLU in its stores.
        void TimeShifted()
        {
            if (!Gemm.MultipliesShifted(24 * 100, 30, 25))
            {
                Console.WriteLine(
                    $"{"conv forward shifted (training)", -34} needs AVX2 and FMA: the step packs col here"
                );
                return;
            }

            const int n = 100,
                side = 28,
                kernel = 5,
                filters = 30,
                outSide = side - kernel + 1,
                rowLen = outSide * n,
                taps = kernel * kernel;
            var x = R(n * side * side);
            var wt = R(taps * filters);
            var bias = R(filters);
            var c = new double[rowLen * filters];
            var offsets = new int[taps];
            void Rows()
            {
                for (var r = 0; r < outSide; r++)
                {
                    for (var t = 0; t < taps; t++)
                        offsets[t] = n * ((r + t / kernel) * side + t % kernel);
                    if (!Gemm.MultiplyShifted(rowLen, filters, taps, x, offsets, wt, filters, bias, true, c, rowLen))
                        throw new InvalidOperationException("the shifted product needs AVX2 and FMA here");
                }
            }
            var best = Best(() => Rows());
            Console.WriteLine(
                $"{"conv forward shifted, 1 thread (training)", -34} {outSide * rowLen, 6}×{filters, -5} k {taps, -6} {best, 8:F3} ms  {2.0 * outSide * rowLen * filters * taps / best / 1e6, 7:F1} GFLOP/s"
            );
        }

        // Conv2D's weight gradient in a training step: dYᵀ·col over the pool's maxima only, one row in four per
        // filter (a random one of each four, as a 2×2 max pool picks), with the 30×25×57600 dense count of FLOPs.
        void TimeListed()
        {
            const int m = 30,
                n = 25,
                k = 57600,
                count = k / 4,
                stride = count + 4;
            var rows = new double[m * stride];
            var values = new double[m * stride];
            for (var f = 0; f < m; f++)
            for (var t = 0; t < count; t++)
                (rows[f * stride + t], values[f * stride + t]) = (4 * t + rng.Next(4), rng.NextDouble() - 0.5);
            var listed = new Gemm.SparseColumns(rows, values, m, stride, count);
            var b = R(k * n);
            var c = new double[m * n];
            var (parts, work) = Gemm.SparsePlan(m, n, k);
            var w = new double[work];
            var best = Best(() => Gemm.MultiplySparseTransposed(m, n, k, listed, b, k, c, m, w, parts));
            Console.WriteLine(
                $"{"conv dWᵀ listed maxima (training)", -34} {m, 6}×{n, -5} k {k, -6} {best, 8:F3} ms  {2.0 * m * n * k / best / 1e6, 7:F1} GFLOP/s (dense count)"
            );
        }
    }
}
