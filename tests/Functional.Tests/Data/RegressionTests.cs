using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

public sealed class RegressionTests
{
    [Fact]
    public void Flux_has_300_rows_of_6_polynomial_features()
    {
        var d = Regression.Flux();
        Assert.Equal((300, 6), (d.Count, d.Features));
        Assert.Equal((300, 1), (d.T.RowCount, d.T.ColumnCount));
        Assert.All(d.X.Column(0), v => Assert.Equal(1.0, v));
        Assert.False(d.IsClassification);
        Assert.Empty(d.ClassNames);
    }

    [Fact]
    public void Xs_span_minus_2_to_2_evenly()
    {
        var xs = Regression.Xs(300);
        Assert.Equal(-2.0, xs[0]);
        Assert.Equal(2.0, xs[^1]);
        var steps = xs.Zip(xs.Skip(1), (a, b) => b - a).ToArray();
        Assert.All(steps, s => Assert.Equal(4.0 / 299, s, 1e-12));
        Assert.Equal(xs.ToArray(), Regression.Flux().X.Column(1).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(77)]
    [InlineData(150)]
    [InlineData(299)]
    public void Features_and_target_match_a_direct_computation(int i)
    {
        var d = Regression.Flux();
        double x = -2 + 4.0 * i / 299;
        for (int k = 0; k < 6; k++)
            Assert.Equal(Math.Pow(x, k), d.X[i, k], 1e-12);
        Assert.Equal(3 * x + 2 * Math.Pow(x, 2) + 1 + 3 * Math.Cos(20 * x), d.T[i, 0], 1e-12);
    }

    [Fact]
    public void Other_sizes_work_and_tiny_ones_are_rejected()
    {
        Assert.Equal(11, Regression.Flux(11).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Regression.Flux(1));
    }
}
