namespace Functional.Numerics;

/// <summary>
/// Integer powers in IEEE multiplications and fused multiply-adds only, in one fixed order, so the bits are the
/// same on every machine (unlike <see cref="Math.Pow(double, double)"/>, which the platform's C library rounds its
/// own way).
/// </summary>
internal static class Powers
{
    /// <summary>
    /// x^n for n ≥ 0 by binary exponentiation from the lowest bit of n, carried as a double-double (each product's
    /// rounding error kept exactly with an FMA), so the one rounding that shows is the last: within 1 ulp for every
    /// n below 2^40 while the result is normal. Overflow gives ±∞; x^0 = 1 for every x, NaN included (IEEE 754's
    /// pown).
    /// </summary>
    public static double Pow(double x, long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        double rh = 1.0,
            rl = 0.0,
            sh = x,
            sl = 0.0;
        while (n != 0)
        {
            if ((n & 1) != 0)
                (rh, rl) = Multiply(rh, rl, sh, sl);
            n >>= 1;
            if (n != 0)
                (sh, sl) = Multiply(sh, sl, sh, sl);
        }
        return rh;
    }

    /// <summary>(ah + al)(bh + bl) as a double-double; an infinite or NaN product is returned as it is.</summary>
    static (double Hi, double Lo) Multiply(double ah, double al, double bh, double bl)
    {
        var p = ah * bh;
        if (!double.IsFinite(p))
            return (p, 0.0);
        var e = Math.FusedMultiplyAdd(ah, bh, -p) + (ah * bl + al * bh);
        var hi = p + e;
        return (hi, e - (hi - p));
    }
}
