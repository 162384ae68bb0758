using System.Runtime.CompilerServices;

namespace Functional.Numerics;

/// <summary>
/// e^x and its relatives, written in IEEE basic operations and FMA only.
/// Method (Tang's additive reduction without a table, as in fdlibm's e_exp): x = k·ln2 + r with k = round(x/ln2),
/// |r| ≤ ln2/2; r is formed exactly as a double-double with FMA (ln2 split in two doubles), e^r = 1 + r + r²·q(r)
/// with q the Taylor series to r^11/13! (truncation below 2^-58), summed with a FastTwoSum so that only the last
/// addition rounds at the scale of the result. 2^k is applied as two exactly representable powers of two, so a
/// subnormal result rounds once, and results beyond the thresholds overflow to +∞ or underflow to +0 by themselves.
/// </summary>
internal static class ExpKernel
{
    public const double Ln2Hi = 0.6931471805599453;
    public const double Ln2Lo = 2.3190468138462996e-17;
    public const double InvLn2 = 1.4426950408889634;

    /// <summary>Below this e^x rounds to +0 whatever the rounding of the kernel; the clamp keeps k in range.</summary>
    public const double Low = -746.0;

    /// <summary>Above this e^x is +∞.</summary>
    public const double High = 710.0;

    /// <summary>The reduction x = k·ln2 + (r + rlo) and the polynomial part c ≈ e^(r+rlo) − 1 − r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V K, V R, V C) Reduce<V>(V x)
        where V : struct, ILanes<V>
    {
        var k = Dd.RoundToInteger(x * V.Of(InvLn2));
        var rHi = V.Fma(k, V.Of(-Ln2Hi), x); // exact: |r| < 2 and both terms are multiples of ulp(r)
        var p = k * V.Of(-Ln2Lo);
        var pe = V.Fma(k, V.Of(-Ln2Lo), V.Of(0) - p);
        var (r, e) = Dd.TwoSum(rHi, p);
        var rLo = e + pe;
        var q = V.Of(1.0 / 6227020800.0);
        q = V.Fma(q, r, V.Of(1.0 / 479001600.0));
        q = V.Fma(q, r, V.Of(1.0 / 39916800.0));
        q = V.Fma(q, r, V.Of(1.0 / 3628800.0));
        q = V.Fma(q, r, V.Of(1.0 / 362880.0));
        q = V.Fma(q, r, V.Of(1.0 / 40320.0));
        q = V.Fma(q, r, V.Of(1.0 / 5040.0));
        q = V.Fma(q, r, V.Of(1.0 / 720.0));
        q = V.Fma(q, r, V.Of(1.0 / 120.0));
        q = V.Fma(q, r, V.Of(1.0 / 24.0));
        q = V.Fma(q, r, V.Of(1.0 / 6.0));
        q = V.Fma(q, r, V.Of(0.5));
        // e^(r + rLo) − 1 − r ≈ r²·q(r) + rLo·(1 + r)
        var c = V.Fma(r * r, q, V.Fma(rLo, r, rLo));
        return (k, r, c);
    }

    /// <summary>e^x = (hi + lo) · s1 · s2 for x in [Low, High]; hi is e^r rounded, lo the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V Hi, V Lo, V S1, V S2) Core<V>(V x)
        where V : struct, ILanes<V>
    {
        var (k, r, c) = Reduce(x);
        var (s, e) = Dd.FastTwoSum(V.Of(1.0), r);
        var t = e + c;
        var (hi, lo) = Dd.FastTwoSum(s, t);
        var k1 = Dd.RoundToInteger(k * V.Of(0.5));
        return (hi, lo, Dd.Pow2(k1), Dd.Pow2(k - k1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Clamp<V>(V x, double low, double high)
        where V : struct, ILanes<V>
    {
        // NaN passes through: both comparisons are false for it.
        x = V.Select(V.Less(x, V.Of(low)), V.Of(low), x);
        return V.Select(V.Less(V.Of(high), x), V.Of(high), x);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Exp<V>(V x)
        where V : struct, ILanes<V>
    {
        var (hi, _, s1, s2) = Core(Clamp(x, Low, High));
        return hi * s1 * s2;
    }

    /// <summary>
    /// 1 / (1 + e^−x) for both signs without cancellation: with u = e^−|x| as a double-double, 1 / (1 + u) for
    /// x ≥ 0 and u / (1 + u) for x &lt; 0, divided with an exact FMA remainder, so only the quotient's last
    /// rounding is seen. Underflows gracefully through the subnormals (σ(x) ≈ e^x there).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Sigmoid<V>(V x)
        where V : struct, ILanes<V>
    {
        var a = Dd.Abs(x);
        var (hi, lo, s1, s2) = Core(V.Of(0) - V.Select(V.Less(V.Of(-Low), a), V.Of(-Low), a));
        var uh = hi * s1 * s2;
        var ul = lo * s1 * s2;
        var (d, de) = Dd.FastTwoSum(V.Of(1.0), uh);
        var positive = V.LessOrEqual(V.Of(0), x);
        var nh = V.Select(positive, V.Of(1.0), uh);
        var nl = V.Select(positive, V.Of(0), ul);
        return Dd.Divide(nh, nl, d, de + ul);
    }
}
