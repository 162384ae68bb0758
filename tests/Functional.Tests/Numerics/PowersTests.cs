using System.Numerics;
using Functional.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Functional.Tests.Numerics;

/// <summary>Powers.Pow against the exact power, and its edge cases.</summary>
public class PowersTests(ITestOutputHelper output)
{
    [Fact]
    public void Exact_powers_are_exact()
    {
        Assert.Equal(3486784401.0, Powers.Pow(3, 20));
        Assert.Equal(-8.0, Powers.Pow(-2, 3));
        Assert.Equal(Math.ScaleB(1.0, -1000), Powers.Pow(0.5, 1000));
        Assert.Equal(0.9, Powers.Pow(0.9, 1));
        Assert.Equal(0.9 * 0.9, Powers.Pow(0.9, 2)); // one rounding of the exact square
    }

    [Fact]
    public void Zero_exponent_is_one_for_every_base_and_a_negative_exponent_is_refused()
    {
        Assert.Equal(1.0, Powers.Pow(double.NaN, 0));
        Assert.Equal(1.0, Powers.Pow(double.PositiveInfinity, 0));
        Assert.Equal(1.0, Powers.Pow(0.0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Powers.Pow(0.9, -1));
    }

    [Fact]
    public void Underflows_to_zero_and_overflows_to_infinity()
    {
        Assert.Equal(0.0, Powers.Pow(0.9, 1_000_000));
        Assert.Equal(0.0, Powers.Pow(0.999, long.MaxValue));
        Assert.Equal(double.PositiveInfinity, Powers.Pow(1.5, 10_000));
    }

    /// <summary>Within 1 ulp of the exact power of the double β (Adam's β₁, β₂, a step decay's γ) at every step
    /// up to 30 000 while the result is normal; the worst error is reported.</summary>
    [Theory]
    [InlineData(0.9)]
    [InlineData(0.999)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(0.9999)]
    public void Within_one_ulp_of_the_exact_power(double beta)
    {
        var (m, e) = Split(beta);
        var worst = 0.0;
        var n = 1L;
        var checkedSteps = 0;
        var exact = BigInteger.One; // m^have
        var have = 0L;
        for (; n <= 30_000; n += n < 300 ? 1 : 299)
        {
            var y = Powers.Pow(beta, n);
            if (y < 1e-300)
                break;
            exact *= BigInteger.Pow(m, (int)(n - have));
            have = n;
            checkedSteps++;
            var (ym, ye) = Split(y);
            // error in ulps of y: |ym − m^n·2^(e·n − ye)|
            var shift = ye - e * (int)n;
            var err =
                shift <= 0
                    ? (double)BigInteger.Abs(ym - (exact << -shift))
                    : (double)((BigInteger.Abs(((BigInteger)ym << shift) - exact) << 64) >> shift) * Math.Pow(2, -64);
            worst = Math.Max(worst, err);
            Assert.True(err < 1.0, $"{beta}^{n}: {err} ulps from the exact power");
        }
        Assert.True(checkedSteps > 300, $"{beta}: only {checkedSteps} steps checked");
        output.WriteLine($"{beta}: worst {worst:F3} ulps over {checkedSteps} steps");
    }

    /// <summary>A positive finite double as m·2^e with an integer m.</summary>
    static (BigInteger M, int E) Split(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var exp = (int)((bits >> 52) & 0x7FF);
        var frac = bits & 0xFFFFFFFFFFFFFL;
        return exp == 0 ? (frac, -1074) : (frac | (1L << 52), exp - 1075);
    }
}
