using System.Runtime.CompilerServices;

namespace Functional.Numerics;

/// <summary>Error-free transformations (Knuth's TwoSum, Dekker's FastTwoSum) and the shared helpers of the kernels.</summary>
internal static class Dd
{
    /// <summary>s + e = a + b exactly, s = a + b rounded (any magnitudes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V S, V E) TwoSum<V>(V a, V b)
        where V : struct, ILanes<V>
    {
        var s = a + b;
        var bb = s - a;
        return (s, (a - (s - bb)) + (b - bb));
    }

    /// <summary>s + e = a + b exactly when a's exponent is at least b's (|a| ≥ |b| suffices).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (V S, V E) FastTwoSum<V>(V a, V b)
        where V : struct, ILanes<V>
    {
        var s = a + b;
        return (s, (a - s) + b);
    }

    /// <summary>(nh + nl) / (dh + dl) rounded once, to within a few hundredths of an ulp beyond the final rounding:
    /// the quotient's remainder is exact through FMA, and the low parts enter as a first-order correction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Divide<V>(V nh, V nl, V dh, V dl)
        where V : struct, ILanes<V>
    {
        var q = nh / dh;
        var nq = V.Of(0) - q;
        var rem = V.Fma(nq, dh, nh);
        return q + (rem + V.Fma(nq, dl, nl)) / dh;
    }

    /// <summary>2^k for an integral k in [−1022, 1023], built from its bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Pow2<V>(V k)
        where V : struct, ILanes<V> => V.ShiftLeftBits(k + V.Of(4503599627371519.0), 52);

    /// <summary>Rounds to the nearest integer (ties to even) for |x| &lt; 2^51 by adding and removing 1.5 · 2^52.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V RoundToInteger<V>(V x)
        where V : struct, ILanes<V> => (x + V.Of(Shifter)) - V.Of(Shifter);

    public const double Shifter = 6755399441055744.0;

    public const long SignBit = unchecked((long)0x8000000000000000UL);

    public const long AbsMask = 0x7FFFFFFFFFFFFFFFL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Abs<V>(V x)
        where V : struct, ILanes<V> => V.And(x, V.OfBits(AbsMask));
}
