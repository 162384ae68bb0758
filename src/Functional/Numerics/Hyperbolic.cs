using System.Runtime.CompilerServices;

namespace Functional.Numerics;

/// <summary>
/// e^x − 1 and tanh, on the reduction of <see cref="ExpKernel"/>.
/// e^x − 1 = (2^k − 1) + 2^k·r + 2^k·c: every term is exact (2^k − 1 while k ≤ 52; beyond that 2^k and −1 are
/// kept apart), so a TwoSum and one final addition give it without the cancellation of e^x − 1 (the approach of
/// fdlibm's s_expm1, here with FMA-exact parts instead of its correction formula).
/// tanh(|x|) = t / (t + 2) with t = e^(2|x|) − 1 kept as a double-double and divided with an exact remainder.
/// </summary>
internal static class HyperbolicKernel
{
    /// <summary>e^x − 1 as hi + lo for x in [−40, 40].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V Hi, V Lo) Expm1Core<V>(V x)
        where V : struct, ILanes<V>
    {
        var (k, r, c) = ExpKernel.Reduce(x);
        var p = Dd.Pow2(k);
        var small = V.LessOrEqual(k, V.Of(52));
        var h = V.Select(small, p - V.Of(1.0), p);
        var l = V.Select(small, V.Of(0), V.Of(-1.0));
        var (s, e) = Dd.TwoSum(h, p * r);
        var lo = e + (p * c + l);
        return Dd.FastTwoSum(s, lo);
    }

    /// <summary>Below this e^x − 1 rounds to x (and ±0 keeps its sign).</summary>
    private const double Tiny = 5.551115123125783e-17; // 2^-54

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Expm1<V>(V x)
        where V : struct, ILanes<V>
    {
        var (hi, _) = Expm1Core(ExpKernel.Clamp(x, -40.0, 40.0));
        var big = ExpKernel.Exp(x);
        var y = V.Select(V.Less(V.Of(40.0), x), big, hi);
        return V.Select(V.Less(Dd.Abs(x), V.Of(Tiny)), x, y);
    }

    /// <summary>Below this tanh x rounds to x.</summary>
    private const double TanhTiny = 3.725290298461914e-09; // 2^-28

    /// <summary>Beyond this tanh x rounds to ±1 (1 − tanh 20 ≈ 8.5e-18 &lt; 2^-54).</summary>
    private const double TanhSaturate = 20.0;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Tanh<V>(V x)
        where V : struct, ILanes<V>
    {
        var a = Dd.Abs(x);
        var ac = V.Select(V.Less(V.Of(TanhSaturate), a), V.Of(TanhSaturate), a);
        var (th, tl) = Expm1Core(ac + ac);
        var (d, de) = Dd.TwoSum(th, V.Of(2.0));
        var z = Dd.Divide(th, tl, d, de + tl);
        var signed = V.Or(z, V.And(x, V.OfBits(Dd.SignBit)));
        return V.Select(V.Less(a, V.Of(TanhTiny)), x, signed);
    }
}
