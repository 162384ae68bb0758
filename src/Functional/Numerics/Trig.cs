using System.Runtime.CompilerServices;

namespace Functional.Numerics;

/// <summary>
/// Cosine and sine in IEEE basic operations and FMA only, for |x| ≤ 2^40 (beyond it they throw).
/// Method: k = round(x·2/π) and r = x − k·π/2 as a double-double, with π/2 split into three doubles (159 bits):
/// x − k·P1 is exact under FMA (both terms are multiples of ulp(r) and |r| &lt; 2), k·P2 is taken exactly as a
/// product pair, and the parts are gathered with a TwoSum, so r keeps its relative accuracy even at the closest
/// approach of a double to a multiple of π/2 (about 2^-61 over all doubles). The kernels on |r| ≤ π/4 are the
/// Taylor series (cos to r^18, sin to r^19, truncation below 2^-60) with the r² rounding error and the low part
/// of r fed in as corrections, in the manner of fdlibm's k_cos/k_sin; the quadrant k mod 4 picks ±cos or ±sin.
/// </summary>
internal static class TrigKernel
{
    private const double TwoOverPi = 0.6366197723675814;
    private const double P1 = 1.5707963267948966;
    private const double P2 = 6.123233995736766e-17;
    private const double P3 = -1.4973849048591698e-33;

    /// <summary>The largest |x| served (k·2^-53 stays far below the reduced argument's precision up to here).</summary>
    public const double Limit = 1099511627776.0; // 2^40

    /// <summary>Below this cos x rounds to 1 and sin x to x.</summary>
    private const double Tiny = 7.450580596923828e-09; // 2^-27

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (V Cos, V Sin, V Quadrant) Kernels<V>(V x)
        where V : struct, ILanes<V>
    {
        var a = Dd.Abs(x);
        var outside = V.Less(V.Of(Limit), a);
        if (V.Any(V.And(outside, V.Less(a, V.Of(double.PositiveInfinity)))))
            throw new ArgumentOutOfRangeException(nameof(x), "cos and sin are served for |x| ≤ 2^40.");
        var xc = V.Select(V.LessOrEqual(a, V.Of(Limit)), x, V.Of(0)); // ∞ and NaN computed as 0, then replaced
        var t = xc * V.Of(TwoOverPi) + V.Of(Dd.Shifter);
        var k = t - V.Of(Dd.Shifter);
        var quadrant = V.Or(V.And(t, V.OfBits(3)), V.OfBits(0x4330000000000000L)) - V.Of(4503599627370496.0);
        var a1 = V.Fma(k, V.Of(-P1), xc); // exact
        var bh = k * V.Of(-P2);
        var bl = V.Fma(k, V.Of(-P2), V.Of(0) - bh);
        var (s, e) = Dd.TwoSum(a1, bh);
        var (rh, rl) = Dd.FastTwoSum(s, e + (bl + k * V.Of(-P3)));

        var z = rh * rh;
        var zl = V.Fma(rh, rh, V.Of(0) - z);

        var c = V.Of(-1.0 / 6402373705728000.0);
        c = V.Fma(c, z, V.Of(1.0 / 20922789888000.0));
        c = V.Fma(c, z, V.Of(-1.0 / 87178291200.0));
        c = V.Fma(c, z, V.Of(1.0 / 479001600.0));
        c = V.Fma(c, z, V.Of(-1.0 / 3628800.0));
        c = V.Fma(c, z, V.Of(1.0 / 40320.0));
        c = V.Fma(c, z, V.Of(-1.0 / 720.0));
        c = V.Fma(c, z, V.Of(1.0 / 24.0));
        // cos(rh + rl) ≈ 1 − (z + zl)/2 + z²·c(z) − rh·rl, with 1 − z/2 split exactly
        var hz = V.Of(0.5) * z;
        var (w, we) = Dd.FastTwoSum(V.Of(1.0), V.Of(0) - hz);
        var cos = w + (we + V.Fma(z * z, c, V.Of(0) - V.Fma(rh, rl, V.Of(0.5) * zl)));

        var sn = V.Of(-1.0 / 121645100408832000.0);
        sn = V.Fma(sn, z, V.Of(1.0 / 355687428096000.0));
        sn = V.Fma(sn, z, V.Of(-1.0 / 1307674368000.0));
        sn = V.Fma(sn, z, V.Of(1.0 / 6227020800.0));
        sn = V.Fma(sn, z, V.Of(-1.0 / 39916800.0));
        sn = V.Fma(sn, z, V.Of(1.0 / 362880.0));
        sn = V.Fma(sn, z, V.Of(-1.0 / 5040.0));
        sn = V.Fma(sn, z, V.Of(1.0 / 120.0));
        sn = V.Fma(sn, z, V.Of(-1.0 / 6.0));
        // sin(rh + rl) ≈ rh + rh·z·s(z) + rl·(1 − z/2)
        var sin = rh + V.Fma(rh, z * sn, rl * (V.Of(1.0) - hz));
        return (cos, sin, quadrant);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Pick<V>(V quadrant, V q0, V q1, V q2, V q3)
        where V : struct, ILanes<V> =>
        V.Select(
            V.Less(quadrant, V.Of(2.0)),
            V.Select(V.Equal(quadrant, V.Of(0)), q0, q1),
            V.Select(V.Equal(quadrant, V.Of(2.0)), q2, q3)
        );

    private static V Finish<V>(V x, V y, V tiny)
        where V : struct, ILanes<V>
    {
        var finite = V.Less(Dd.Abs(x), V.Of(double.PositiveInfinity));
        var a = Dd.Abs(x);
        return V.Select(V.Less(a, V.Of(Tiny)), tiny, V.Select(finite, y, V.Of(double.NaN)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Cos<V>(V x)
        where V : struct, ILanes<V>
    {
        var (c, s, q) = Kernels(x);
        var zero = V.Of(0);
        return Finish(x, Pick(q, c, zero - s, zero - c, s), V.Of(1.0));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Sin<V>(V x)
        where V : struct, ILanes<V>
    {
        var (c, s, q) = Kernels(x);
        var zero = V.Of(0);
        return Finish(x, Pick(q, s, c, zero - s, zero - c), x);
    }
}
