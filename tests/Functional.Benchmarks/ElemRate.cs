using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Functional.Numerics;

namespace Functional.Benchmarks;

/// <summary>
/// ns per element of Functional.Numerics.Elementary against System.Math over 4096-element arrays: Math in a scalar
/// loop, ours scalar, Vector256 and Vector512 loops, and the span form (best of repeats; Stopwatch, no
/// BenchmarkDotNet). `elem digest` instead prints a SHA-256 of every function's outputs on fixed inputs, scalar
/// and span, to compare across DOTNET_EnableAVX512F=0 / EnableAVX2=0 / EnableHWIntrinsic=0 or machines.
/// Usage: elem [repeats] | elem digest
/// </summary>
internal static class ElemRate
{
    const int N = 4096;

    delegate void SpanFn(ReadOnlySpan<double> x, Span<double> y);

    sealed record Fn(
        string Name,
        Func<double, double> Platform,
        Func<double, double> Ours,
        SpanFn Span,
        double Lo,
        double Hi
    );

    static readonly Fn[] Fns =
    [
        new("exp", Math.Exp, Elementary.Exp, Elementary.Exp, -50, 50),
        new("log", Math.Log, Elementary.Log, Elementary.Log, 1e-6, 1e4),
        new("tanh", Math.Tanh, Elementary.Tanh, Elementary.Tanh, -10, 10),
        new("sigmoid", x => 1.0 / (1.0 + Math.Exp(-x)), Elementary.Sigmoid, Elementary.Sigmoid, -10, 10),
        new("cos", Math.Cos, Elementary.Cos, Elementary.Cos, 0, 2 * Math.PI),
        new("expm1", x => Math.Exp(x) - 1, Elementary.Expm1, Elementary.Expm1, -1, 1),
    ];

    static double[] Inputs(Fn f)
    {
        var rng = new Random(4096);
        return Enumerable.Range(0, N).Select(_ => f.Lo + (f.Hi - f.Lo) * rng.NextDouble()).ToArray();
    }

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "digest")
            return Digest();
        var repeats = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 200;
        Console.WriteLine(
            $"ns/element over {N} doubles, best of {repeats} (Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256: {Vector256.IsHardwareAccelerated})"
        );
        Console.WriteLine($"{"fn", -8} {"Math", 8} {"scalar", 8} {"V256", 8} {"V512", 8} {"span", 8}");
        foreach (var f in Fns)
        {
            var x = Inputs(f);
            var y = new double[N];
            var math = Time(
                repeats,
                () =>
                {
                    for (var i = 0; i < N; i++)
                        y[i] = f.Platform(x[i]);
                }
            );
            var scalar = Time(
                repeats,
                () =>
                {
                    for (var i = 0; i < N; i++)
                        y[i] = f.Ours(x[i]);
                }
            );
            var v256 = Time(repeats, () => Loop256(f.Name, x, y));
            var v512 = Time(repeats, () => Loop512(f.Name, x, y));
            var span = Time(repeats, () => f.Span(x, y));
            Console.WriteLine($"{f.Name, -8} {math, 8:F2} {scalar, 8:F2} {v256, 8:F2} {v512, 8:F2} {span, 8:F2}");
        }
        return 0;
    }

    // Direct calls per vector, no delegate in the loop (a delegate call per vector dominated and varied).
    static void Loop256(string name, double[] x, double[] y)
    {
        switch (name)
        {
            case "exp":
                for (var i = 0; i < N; i += 4)
                    Elementary.Exp(Vector256.Create(x.AsSpan(i, 4))).CopyTo(y.AsSpan(i));
                break;
            case "log":
                for (var i = 0; i < N; i += 4)
                    Elementary.Log(Vector256.Create(x.AsSpan(i, 4))).CopyTo(y.AsSpan(i));
                break;
            case "tanh":
                for (var i = 0; i < N; i += 4)
                    Elementary.Tanh(Vector256.Create(x.AsSpan(i, 4))).CopyTo(y.AsSpan(i));
                break;
            case "sigmoid":
                for (var i = 0; i < N; i += 4)
                    Elementary.Sigmoid(Vector256.Create(x.AsSpan(i, 4))).CopyTo(y.AsSpan(i));
                break;
            case "cos":
                for (var i = 0; i < N; i += 4)
                    Elementary.Cos(Vector256.Create(x.AsSpan(i, 4))).CopyTo(y.AsSpan(i));
                break;
            default:
                for (var i = 0; i < N; i += 4)
                    Elementary.Expm1(Vector256.Create(x.AsSpan(i, 4))).CopyTo(y.AsSpan(i));
                break;
        }
    }

    static void Loop512(string name, double[] x, double[] y)
    {
        switch (name)
        {
            case "exp":
                for (var i = 0; i < N; i += 8)
                    Elementary.Exp(Vector512.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
                break;
            case "log":
                for (var i = 0; i < N; i += 8)
                    Elementary.Log(Vector512.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
                break;
            case "tanh":
                for (var i = 0; i < N; i += 8)
                    Elementary.Tanh(Vector512.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
                break;
            case "sigmoid":
                for (var i = 0; i < N; i += 8)
                    Elementary.Sigmoid(Vector512.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
                break;
            case "cos":
                for (var i = 0; i < N; i += 8)
                    Elementary.Cos(Vector512.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
                break;
            default:
                for (var i = 0; i < N; i += 8)
                    Elementary.Expm1(Vector512.Create(x.AsSpan(i, 8))).CopyTo(y.AsSpan(i));
                break;
        }
    }

    static double Time(int repeats, Action body)
    {
        // warm long enough for tiered compilation to reach the optimised code (it is queued behind a delay)
        var warm = Stopwatch.GetTimestamp();
        for (var i = 0; i < 50 || Stopwatch.GetElapsedTime(warm).TotalMilliseconds < 500; i++)
            body();
        var best = double.MaxValue;
        for (var r = 0; r < repeats; r++)
        {
            var t = Stopwatch.GetTimestamp();
            body();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalNanoseconds / N);
        }
        return best;
    }

    static int Digest()
    {
        using var sha = SHA256.Create();
        foreach (var f in Fns)
        {
            var x = Inputs(f);
            var rng = new Random(7);
            var extra = Enumerable
                .Range(0, N)
                .Select(_ => BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)));
            if (f.Name == "cos")
                extra = extra.Select(v => double.IsFinite(v) && Math.Abs(v) > 1e12 ? v % 1e12 : v);
            x = [.. x, .. extra];
            var scalar = x.Select(f.Ours).ToArray();
            var span = new double[x.Length];
            f.Span(x, span);
            var same = scalar
                .Zip(span)
                .All(p => BitConverter.DoubleToInt64Bits(p.Item1) == BitConverter.DoubleToInt64Bits(p.Item2));
            var bytes = new byte[scalar.Length * 8];
            Buffer.BlockCopy(scalar, 0, bytes, 0, bytes.Length);
            Console.WriteLine($"{f.Name, -8} {Convert.ToHexString(SHA256.HashData(bytes))[..16]} span==scalar {same}");
        }
        return 0;
    }
}
