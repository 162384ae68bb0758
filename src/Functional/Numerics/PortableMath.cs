namespace Functional.Numerics;

/// <summary>
/// Functions for callers who want the bits Functional itself would compute, the same on every machine:
/// <see cref="Math.Pow(double, double)"/> calls the platform's C library, which rounds its own way.
/// </summary>
public static class PortableMath
{
    // ln 10 as a double-double: the double nearest and the double nearest the rest.
    const double Ln10Hi = 2.302585092994046,
        Ln10Lo = -2.1707562233822494e-16;

    /// <summary>
    /// 10^<paramref name="y"/> from IEEE operations and Functional's own exponential only, so the same bits on every
    /// platform: exact for whole <paramref name="y"/> from 0 to 22 and correctly rounded for −22 to −1; otherwise
    /// exp(y·ln 10) with the product carried as a double-double, within 2 ulps. NaN gives NaN, +∞ gives +∞ and −∞
    /// gives 0.
    /// </summary>
    /// <param name="y">The exponent.</param>
    /// <returns>Ten to the power <paramref name="y"/>.</returns>
    /// <example>Log-spaced learning rates that do not depend on the C library:
    /// <c>Enumerable.Range(0, 5).Select(i => PortableMath.Pow10(-4 + 0.5 * i))</c>.</example>
    public static double Pow10(double y)
    {
        if (double.IsNaN(y))
            return y;
        if (y == Math.Floor(y) && Math.Abs(y) <= 22)
        {
            var p = Powers.Pow(10.0, (long)Math.Abs(y));
            return y >= 0 ? p : 1.0 / p;
        }
        var hi = y * Ln10Hi;
        if (double.IsInfinity(hi))
            return y > 0 ? double.PositiveInfinity : 0.0;
        var lo = Math.FusedMultiplyAdd(y, Ln10Hi, -hi) + y * Ln10Lo;
        var e = Elementary.Exp(hi);
        return double.IsFinite(e) && e != 0.0 ? Math.FusedMultiplyAdd(e, lo, e) : e;
    }
}
