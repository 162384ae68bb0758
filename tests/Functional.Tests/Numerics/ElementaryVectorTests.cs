using System.Globalization;
using System.Runtime.Intrinsics;
using Functional.Numerics;
using Xunit;

namespace Functional.Tests.Numerics;

/// <summary>The Vector256, Vector512 and span forms give the scalar form's bits on every input.</summary>
public class ElementaryVectorTests
{
    public static TheoryData<string> Names => ElementaryTableTests.Names;

    static (
        Func<Vector256<double>, Vector256<double>> V256,
        Func<Vector512<double>, Vector512<double>> V512,
        SpanFn Span
    ) Forms(string name) =>
        name switch
        {
            "exp" => (Elementary.Exp, Elementary.Exp, Elementary.Exp),
            "expm1" => (Elementary.Expm1, Elementary.Expm1, Elementary.Expm1),
            "log" => (Elementary.Log, Elementary.Log, Elementary.Log),
            "tanh" => (Elementary.Tanh, Elementary.Tanh, Elementary.Tanh),
            "sigmoid" => (Elementary.Sigmoid, Elementary.Sigmoid, Elementary.Sigmoid),
            "cos" => (Elementary.Cos, Elementary.Cos, Elementary.Cos),
            "sin" => (Elementary.Sin, Elementary.Sin, Elementary.Sin),
            _ => throw new ArgumentException(name),
        };

    delegate void SpanFn(ReadOnlySpan<double> x, Span<double> y);

    /// <summary>The table's arguments, random bit patterns (every class of double), and random values near the
    /// library's ranges, in an order that mixes special and ordinary lanes within one vector.</summary>
    static double[] Inputs(string name)
    {
        var rng = new Random(20261201);
        var xs = new List<double>(ElementaryTable.All[name].Arguments);
        for (var i = 0; i < 20_000; i++)
            xs.Add(BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue)));
        for (var i = 0; i < 20_000; i++)
            xs.Add((rng.NextDouble() - 0.5) * 100);
        xs.AddRange([
            0.0,
            -0.0,
            double.NaN,
            -double.NaN,
            double.PositiveInfinity,
            double.NegativeInfinity,
            double.Epsilon,
            -double.Epsilon,
            double.MaxValue,
            double.MinValue,
        ]);
        if (name is "cos" or "sin")
            xs.RemoveAll(x => double.IsFinite(x) && Math.Abs(x) > 1099511627776.0);
        var a = xs.ToArray();
        rng.Shuffle(a);
        return a;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Vector256_Vector512_and_span_forms_equal_the_scalar_bitwise(string name)
    {
        var scalar = ElementaryTableTests.Ours(name);
        var (v256, v512, span) = Forms(name);
        var x = Inputs(name);
        var n = x.Length / 8 * 8 + 3; // a tail the span form finishes in scalars
        var expected = x.Take(n).Select(scalar).ToArray();
        var fromSpan = new double[n];
        span(x.AsSpan(0, n), fromSpan);
        var from256 = new double[n / 4 * 4];
        for (var i = 0; i < from256.Length; i += 4)
            v256(Vector256.Create(x.AsSpan(i, 4))).CopyTo(from256.AsSpan(i));
        var from512 = new double[n / 8 * 8];
        for (var i = 0; i < from512.Length; i += 8)
            v512(Vector512.Create(x.AsSpan(i, 8))).CopyTo(from512.AsSpan(i));
        AssertSameBits(name, "span", x, expected, fromSpan);
        AssertSameBits(name, "Vector256", x, expected, from256);
        AssertSameBits(name, "Vector512", x, expected, from512);
    }

    static void AssertSameBits(string name, string form, double[] x, double[] expected, double[] actual)
    {
        for (var i = 0; i < actual.Length; i++)
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                Assert.Fail(
                    $"{name}({R(x[i])}): scalar {R(expected[i])} ({BitConverter.DoubleToInt64Bits(expected[i]):X16}), "
                        + $"{form} {R(actual[i])} ({BitConverter.DoubleToInt64Bits(actual[i]):X16})"
                );
    }

    [Fact]
    public void Cos_and_sin_refuse_finite_arguments_beyond_two_to_the_forty_in_every_form()
    {
        var big = 1099511627776.0 * 1.0000001;
        Assert.Throws<ArgumentOutOfRangeException>(() => Elementary.Cos(big));
        Assert.Throws<ArgumentOutOfRangeException>(() => Elementary.Sin(-big));
        Assert.Throws<ArgumentOutOfRangeException>(() => Elementary.Cos(Vector256.Create(0.0, 1.0, big, 2.0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Elementary.Sin(Vector512.Create(1.0, 0, 0, 0, 0, 0, 0, -big)));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Elementary.Cos(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, big }, new double[9])
        );
        Assert.Equal(Math.Cos(1099511627776.0), Elementary.Cos(1099511627776.0), 12);
    }

    static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
