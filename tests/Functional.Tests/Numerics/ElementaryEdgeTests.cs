using Functional.Numerics;
using Xunit;

namespace Functional.Tests.Numerics;

/// <summary>The values IEEE 754 and C99 Annex F fix exactly: zeros, infinities, NaN, thresholds, subnormals.</summary>
public class ElementaryEdgeTests
{
    const double Tiny = double.Epsilon; // 2^-1074
    const double MinNormal = 2.2250738585072014e-308;

    static void Same(double expected, double actual) =>
        Assert.True(
            BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
            $"expected {expected:R} ({BitConverter.DoubleToInt64Bits(expected):X16}), got {actual:R} ({BitConverter.DoubleToInt64Bits(actual):X16})"
        );

    [Fact]
    public void Exp_at_zeros_infinities_nan_and_the_overflow_and_underflow_thresholds()
    {
        Same(1.0, Elementary.Exp(0.0));
        Same(1.0, Elementary.Exp(-0.0));
        Same(1.0, Elementary.Exp(Tiny));
        Same(double.PositiveInfinity, Elementary.Exp(double.PositiveInfinity));
        Same(0.0, Elementary.Exp(double.NegativeInfinity));
        Assert.True(double.IsNaN(Elementary.Exp(double.NaN)));
        // ln(MaxValue) = 709.78271289338399678...: the double below it is finite, the one above overflows
        Assert.Equal(1.7976931348622732e308, Elementary.Exp(709.782712893384), 1e293);
        Same(double.PositiveInfinity, Elementary.Exp(709.7827128933841));
        Same(double.PositiveInfinity, Elementary.Exp(1e300));
        // graceful underflow: the smallest subnormal near −745.13, then +0
        Same(Tiny, Elementary.Exp(-745.1332191019411));
        Same(0.0, Elementary.Exp(-745.1332191019412 - 0.1));
        Same(0.0, Elementary.Exp(-1e300));
        var previous = double.PositiveInfinity;
        for (var x = -708.0; x > -746; x -= 0.25) // non-increasing through the subnormals, never below 0
        {
            var y = Elementary.Exp(x);
            Assert.True(y <= previous && y >= 0 && (x < -745.2 || y > 0), $"exp({x}) = {y} after {previous}");
            previous = y;
        }
    }

    [Fact]
    public void Log_at_zeros_negatives_infinities_nan_and_subnormals()
    {
        Same(double.NegativeInfinity, Elementary.Log(0.0));
        Same(double.NegativeInfinity, Elementary.Log(-0.0));
        Assert.True(double.IsNaN(Elementary.Log(-1.0)));
        Assert.True(double.IsNaN(Elementary.Log(-Tiny)));
        Assert.True(double.IsNaN(Elementary.Log(double.NegativeInfinity)));
        Assert.True(double.IsNaN(Elementary.Log(double.NaN)));
        Same(double.PositiveInfinity, Elementary.Log(double.PositiveInfinity));
        Same(0.0, Elementary.Log(1.0));
        Same(-744.4400719213812, Elementary.Log(Tiny)); // −1074·ln 2 rounded
        Same(-708.3964185322641, Elementary.Log(MinNormal)); // −1022·ln 2 rounded
        Same(709.782712893384, Elementary.Log(double.MaxValue));
        Same(-0.6931471805599453, Elementary.Log(0.5));
    }

    [Fact]
    public void Expm1_and_tanh_keep_the_sign_of_zero_and_saturate()
    {
        Same(0.0, Elementary.Expm1(0.0));
        Same(-0.0, Elementary.Expm1(-0.0));
        Same(-Tiny, Elementary.Expm1(-Tiny));
        Same(-1.0, Elementary.Expm1(double.NegativeInfinity));
        Same(-1.0, Elementary.Expm1(-40.0));
        Same(double.PositiveInfinity, Elementary.Expm1(double.PositiveInfinity));
        Same(double.PositiveInfinity, Elementary.Expm1(709.7827128933841));
        Assert.True(double.IsNaN(Elementary.Expm1(double.NaN)));
        Same(0.0, Elementary.Tanh(0.0));
        Same(-0.0, Elementary.Tanh(-0.0));
        Same(Tiny, Elementary.Tanh(Tiny));
        Same(1.0, Elementary.Tanh(double.PositiveInfinity));
        Same(-1.0, Elementary.Tanh(double.NegativeInfinity));
        Same(1.0, Elementary.Tanh(20.0));
        Same(-1.0, Elementary.Tanh(-1e300));
        Assert.True(double.IsNaN(Elementary.Tanh(double.NaN)));
    }

    [Fact]
    public void Sigmoid_is_one_half_at_zero_saturates_and_underflows_gracefully()
    {
        Same(0.5, Elementary.Sigmoid(0.0));
        Same(0.5, Elementary.Sigmoid(-0.0));
        Same(0.5, Elementary.Sigmoid(Tiny));
        Same(1.0, Elementary.Sigmoid(double.PositiveInfinity));
        Same(1.0, Elementary.Sigmoid(40.0));
        Same(0.0, Elementary.Sigmoid(double.NegativeInfinity));
        Same(0.0, Elementary.Sigmoid(-800.0));
        Assert.True(double.IsNaN(Elementary.Sigmoid(double.NaN)));
        // σ(x) = e^x / (1 + e^x) ≈ e^x below −37: the same value as exp, down into the subnormals
        foreach (var x in new[] { -40.0, -100.0, -708.5, -720.0, -745.0 })
            Same(Elementary.Exp(x), Elementary.Sigmoid(x));
        // the two halves meet: σ(−x) = 1 − σ(x) to rounding
        for (var x = 0.0; x < 10; x += 0.37)
            Assert.Equal(1.0, Elementary.Sigmoid(x) + Elementary.Sigmoid(-x), 15);
    }

    [Fact]
    public void Cos_and_sin_at_zeros_infinities_nan_and_quadrant_points()
    {
        Same(1.0, Elementary.Cos(0.0));
        Same(1.0, Elementary.Cos(-0.0));
        Same(0.0, Elementary.Sin(0.0));
        Same(-0.0, Elementary.Sin(-0.0));
        Same(-Tiny, Elementary.Sin(-Tiny));
        Same(1.0, Elementary.Cos(Tiny));
        Assert.True(double.IsNaN(Elementary.Cos(double.PositiveInfinity)));
        Assert.True(double.IsNaN(Elementary.Sin(double.NegativeInfinity)));
        Assert.True(double.IsNaN(Elementary.Cos(double.NaN)));
        Same(-1.0, Elementary.Cos(Math.PI));
        Same(6.123233995736766e-17, Elementary.Cos(Math.PI / 2)); // π/2 − RN(π/2), the table's value
        Same(1.2246467991473532e-16, Elementary.Sin(Math.PI));
        Same(1.0, Elementary.Sin(Math.PI / 2));
        Same(-1.0, Elementary.Sin(-Math.PI / 2));
    }
}
