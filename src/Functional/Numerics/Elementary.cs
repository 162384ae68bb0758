using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Functional.Numerics;

/// <summary>
/// Elementary functions that give the same bits on every machine: written in + − × ÷ and fused multiply-add
/// only, never the platform's C library, and at most 1 ulp from the exact value (tests/Functional.Tests/Numerics
/// checks them against correctly rounded tables). Each function has a scalar, a Vector256, a Vector512 and a span
/// form; all run the same generic body (<see cref="ILanes{TSelf}"/>), so they agree bit for bit on every input.
/// The kernels are compiled on their own and fully optimised (NoInlining, AggressiveOptimization): inlined into a
/// profiled caller, their many small helpers were left as calls and the scalar forms ran several times slower.
/// </summary>
internal static class Elementary
{
    public static double Exp(double x) => ExpKernel.Exp(new Scalar(x)).V;

    public static Vector256<double> Exp(Vector256<double> x) => ExpKernel.Exp(new Lanes256(x)).V;

    public static Vector512<double> Exp(Vector512<double> x) => ExpKernel.Exp(new Lanes512(x)).V;

    public static void Exp(ReadOnlySpan<double> x, Span<double> y) => Map<ExpFn>(x, y);

    public static double Expm1(double x) => HyperbolicKernel.Expm1(new Scalar(x)).V;

    public static Vector256<double> Expm1(Vector256<double> x) => HyperbolicKernel.Expm1(new Lanes256(x)).V;

    public static Vector512<double> Expm1(Vector512<double> x) => HyperbolicKernel.Expm1(new Lanes512(x)).V;

    public static void Expm1(ReadOnlySpan<double> x, Span<double> y) => Map<Expm1Fn>(x, y);

    public static double Log(double x) => LogKernel.Log(new Scalar(x)).V;

    public static Vector256<double> Log(Vector256<double> x) => LogKernel.Log(new Lanes256(x)).V;

    public static Vector512<double> Log(Vector512<double> x) => LogKernel.Log(new Lanes512(x)).V;

    public static void Log(ReadOnlySpan<double> x, Span<double> y) => Map<LogFn>(x, y);

    public static double Tanh(double x) => HyperbolicKernel.Tanh(new Scalar(x)).V;

    public static Vector256<double> Tanh(Vector256<double> x) => HyperbolicKernel.Tanh(new Lanes256(x)).V;

    public static Vector512<double> Tanh(Vector512<double> x) => HyperbolicKernel.Tanh(new Lanes512(x)).V;

    public static void Tanh(ReadOnlySpan<double> x, Span<double> y) => Map<TanhFn>(x, y);

    /// <summary>1 / (1 + e^−x), accurate for both signs (no cancellation for x ≪ 0).</summary>
    public static double Sigmoid(double x) => ExpKernel.Sigmoid(new Scalar(x)).V;

    public static Vector256<double> Sigmoid(Vector256<double> x) => ExpKernel.Sigmoid(new Lanes256(x)).V;

    public static Vector512<double> Sigmoid(Vector512<double> x) => ExpKernel.Sigmoid(new Lanes512(x)).V;

    public static void Sigmoid(ReadOnlySpan<double> x, Span<double> y) => Map<SigmoidFn>(x, y);

    /// <summary>cos x for |x| ≤ 2^40 (<see cref="ArgumentOutOfRangeException"/> beyond; NaN for ±∞ and NaN).</summary>
    public static double Cos(double x) => TrigKernel.Cos(new Scalar(x)).V;

    public static Vector256<double> Cos(Vector256<double> x) => TrigKernel.Cos(new Lanes256(x)).V;

    public static Vector512<double> Cos(Vector512<double> x) => TrigKernel.Cos(new Lanes512(x)).V;

    public static void Cos(ReadOnlySpan<double> x, Span<double> y) => Map<CosFn>(x, y);

    /// <summary>sin x for |x| ≤ 2^40 (<see cref="ArgumentOutOfRangeException"/> beyond; NaN for ±∞ and NaN).</summary>
    public static double Sin(double x) => TrigKernel.Sin(new Scalar(x)).V;

    public static Vector256<double> Sin(Vector256<double> x) => TrigKernel.Sin(new Lanes256(x)).V;

    public static Vector512<double> Sin(Vector512<double> x) => TrigKernel.Sin(new Lanes512(x)).V;

    public static void Sin(ReadOnlySpan<double> x, Span<double> y) => Map<SinFn>(x, y);

    /// <summary>y[i] = f(x[i]) in the widest accelerated vectors, the tail in scalars (the same bits either way).</summary>
    private static void Map<F>(ReadOnlySpan<double> x, Span<double> y)
        where F : IFn
    {
        if (y.Length < x.Length)
            throw new ArgumentException("The destination is shorter than the source.", nameof(y));
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 8 <= n; i += 8)
                F.Apply(new Lanes512(Vector512.LoadUnsafe(ref xr, i))).V.StoreUnsafe(ref yr, i);
        else if (Vector256.IsHardwareAccelerated)
            for (; i + 4 <= n; i += 4)
                F.Apply(new Lanes256(Vector256.LoadUnsafe(ref xr, i))).V.StoreUnsafe(ref yr, i);
        if (i < n && (Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated))
        {
            // The tail through one padded vector: each lane is the scalar function's bits, and the vector form costs
            // a fraction of the scalar one (a softmax over a batch of 10 is mostly tail).
            Span<double> t = stackalloc double[8];
            t.Clear();
            var rest = (int)(n - i);
            x.Slice((int)i, rest).CopyTo(t);
            ref var tr = ref MemoryMarshal.GetReference(t);
            if (Vector512.IsHardwareAccelerated)
                F.Apply(new Lanes512(Vector512.LoadUnsafe(ref tr))).V.StoreUnsafe(ref tr);
            else
            {
                F.Apply(new Lanes256(Vector256.LoadUnsafe(ref tr))).V.StoreUnsafe(ref tr);
                if (rest > 4)
                    F.Apply(new Lanes256(Vector256.LoadUnsafe(ref tr, 4))).V.StoreUnsafe(ref tr, 4);
            }
            t[..rest].CopyTo(y.Slice((int)i, rest));
            return;
        }
        for (; i < n; i++)
            Unsafe.Add(ref yr, i) = F.Apply(new Scalar(Unsafe.Add(ref xr, i))).V;
    }

    private interface IFn
    {
        static abstract V Apply<V>(V x)
            where V : struct, ILanes<V>;
    }

    private readonly struct ExpFn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => ExpKernel.Exp(x);
    }

    private readonly struct Expm1Fn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => HyperbolicKernel.Expm1(x);
    }

    private readonly struct LogFn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => LogKernel.Log(x);
    }

    private readonly struct TanhFn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => HyperbolicKernel.Tanh(x);
    }

    private readonly struct SigmoidFn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => ExpKernel.Sigmoid(x);
    }

    private readonly struct CosFn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => TrigKernel.Cos(x);
    }

    private readonly struct SinFn : IFn
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static V Apply<V>(V x)
            where V : struct, ILanes<V> => TrigKernel.Sin(x);
    }
}
