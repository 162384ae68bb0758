using System.Runtime.CompilerServices;

namespace Functional.Numerics;

/// <summary>
/// Natural logarithm in IEEE basic operations and FMA only. Method (fdlibm's e_log): x = 2^k·m with m in
/// [√½, √2) taken from the bits (subnormals first scaled by 2^54), f = m − 1, s = f/(2 + f),
/// log(1 + f) = 2·atanh(s) = f − (f²/2 − s·(f²/2 + R(s²))) with R the atanh series to s^20/21 (truncation
/// below 2^-60 since s² ≤ 0.0295), and log x = k·ln2 + log(1 + f) with the high part of k·ln2 added by one FMA.
/// </summary>
internal static class LogKernel
{
    private const long MantissaMask = 0x000FFFFFFFFFFFFFL;
    private const long SqrtHalfBits = 0x3FE6A09E667F3BCDL;

    /// <summary>Adding this to the bits of x moves m in [√½, √2) to the binade of 1, so the exponent field is k.</summary>
    private const long Offset = 0x3FF0000000000000L - SqrtHalfBits;

    private const double MinNormal = 2.2250738585072014e-308;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    public static V Log<V>(V x)
        where V : struct, ILanes<V>
    {
        var sub = V.Less(x, V.Of(MinNormal));
        var xs = V.Select(sub, x * V.Of(18014398509481984.0), x); // 2^54
        var b = V.AddBits(xs, V.OfBits(Offset));
        var field = V.Or(V.ShiftRightBits(b, 52), V.OfBits(0x4330000000000000L)); // 2^52 + (k + 1023)
        var k = (field - V.Of(4503599627371519.0)) + V.Select(sub, V.Of(-54.0), V.Of(0));
        var m = V.AddBits(V.And(b, V.OfBits(MantissaMask)), V.OfBits(SqrtHalfBits));
        var f = m - V.Of(1.0); // exact (Sterbenz)
        var hfsq = V.Of(0.5) * f * f;
        var s = f / (V.Of(2.0) + f);
        var z = s * s;
        var p = V.Of(2.0 / 21.0);
        p = V.Fma(p, z, V.Of(2.0 / 19.0));
        p = V.Fma(p, z, V.Of(2.0 / 17.0));
        p = V.Fma(p, z, V.Of(2.0 / 15.0));
        p = V.Fma(p, z, V.Of(2.0 / 13.0));
        p = V.Fma(p, z, V.Of(2.0 / 11.0));
        p = V.Fma(p, z, V.Of(2.0 / 9.0));
        p = V.Fma(p, z, V.Of(2.0 / 7.0));
        p = V.Fma(p, z, V.Of(2.0 / 5.0));
        p = V.Fma(p, z, V.Of(2.0 / 3.0));
        var rr = z * p;
        var w = (hfsq - V.Fma(s, hfsq + rr, k * V.Of(ExpKernel.Ln2Lo))) - f;
        var y = V.Fma(k, V.Of(ExpKernel.Ln2Hi), V.Of(0) - w);
        y = V.Select(V.LessOrEqual(V.Of(0), x), y, V.Of(double.NaN)); // x < 0 and NaN
        y = V.Select(V.Equal(x, V.Of(0)), V.Of(double.NegativeInfinity), y);
        return V.Select(V.Equal(x, V.Of(double.PositiveInfinity)), x, y);
    }
}
