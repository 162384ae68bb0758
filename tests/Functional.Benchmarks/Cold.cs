using System.Diagnostics;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>What the first training step of a fresh process pays for, piece by piece.</summary>
internal static class Cold
{
    public static int Run()
    {
        void T(string what, Action a)
        {
            var t0 = Stopwatch.GetTimestamp();
            a();
            Console.WriteLine($"{what, -40} {Stopwatch.GetElapsedTime(t0).TotalMilliseconds, 9:F2} ms");
        }
        T("MathNet Control.MaxDegreeOfParallelism", () => _ = MathNet.Numerics.Control.MaxDegreeOfParallelism);
        T("Tensor.Zeros", () => _ = Tensor.Zeros(2, 2));
        T(
            "Gemm 2x2",
            () =>
                Functional.Kernels.Gemm.Multiply(
                    false,
                    false,
                    2,
                    2,
                    2,
                    1,
                    new double[4],
                    2,
                    new double[4],
                    2,
                    0,
                    new double[4],
                    2
                )
        );
        Cli.Bench.Workload w = null!;
        T("load digits + workload", () => w = Data.Get("digits-bn"));
        TrainState s = null!;
        T("Start", () => s = w.Start());
        T("step 1", () => s = Train.Step(w.Net, w.Opt, s, w.Train, w.Batches).State);
        T("step 2", () => s = Train.Step(w.Net, w.Opt, s, w.Train, w.Batches).State);
        T(
            "steps 3-100",
            () =>
            {
                for (var i = 0; i < 98; i++)
                    s = Train.Step(w.Net, w.Opt, s, w.Train, w.Batches).State;
            }
        );
        return 0;
    }
}
