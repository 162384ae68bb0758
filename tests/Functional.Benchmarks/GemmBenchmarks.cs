using BenchmarkDotNet.Attributes;
using Functional.Kernels;

namespace Functional.Benchmarks;

/// <summary>
/// The deterministic GEMM (column-major, C = op(A)·op(B)) at 1024³, 256³, the MLP shapes of batch 128 and the tiny
/// shapes of the digits and regression networks, on 1 and 2 threads. GFLOP/s = 2·m·n·k / time.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    public sealed record Shape(string Name, int M, int N, int K, bool TransA, bool TransB)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Shape> Shapes =>
        [
            new("1024^3", 1024, 1024, 1024, false, false),
            new("256^3", 256, 256, 256, false, false),
            new("fwd 128x784*784x100", 128, 100, 784, false, false),
            new("dW 784x128*128x100 (A=X^T)", 784, 100, 128, true, false),
            new("dX 128x100*100x784 (B=W^T)", 128, 784, 100, false, true),
            new("fwd 100x784*784x50", 100, 50, 784, false, false),
            new("digits fwd 10x64*64x32", 10, 32, 64, false, false),
            new("digits fwd 10x32*32x10", 10, 10, 32, false, false),
            new("digits dW 64x10*10x32 (A=X^T)", 64, 32, 10, true, false),
            new("regression 20x6*6x10", 20, 10, 6, false, false),
        ];

    [ParamsSource(nameof(Shapes))]
    public Shape S { get; set; } = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    double[] _a = [],
        _b = [],
        _c = [];

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(1);
        _a = Enumerable.Range(0, S.M * S.K).Select(_ => r.NextDouble() - 0.5).ToArray();
        _b = Enumerable.Range(0, S.K * S.N).Select(_ => r.NextDouble() - 0.5).ToArray();
        _c = new double[S.M * S.N];
    }

    [Benchmark]
    public void Multiply() =>
        Gemm.Multiply(
            S.TransA,
            S.TransB,
            S.M,
            S.N,
            S.K,
            1.0,
            _a,
            S.TransA ? S.K : S.M,
            _b,
            S.TransB ? S.N : S.K,
            0.0,
            _c,
            S.M,
            Threads
        );
}
