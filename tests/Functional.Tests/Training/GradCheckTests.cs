using Functional.Core;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

public class GradCheckTests
{
    [Fact]
    public void Numerical_derivative_of_the_books_quadratic_and_its_tangent_slopes()
    {
        static double F(double x) => 0.01 * x * x + 0.1 * x;
        Assert.Equal(0.2, GradCheck.Derivative(F, 5), 9); // the book prints 0.1999999999990898
        Assert.Equal(0.3, GradCheck.Derivative(F, 10), 9); // and 0.2999999999986347
    }

    [Fact]
    public void Numerical_gradient_of_x0_squared_plus_x1_squared()
    {
        static double F(Tensor x) => x[0, 0] * x[0, 0] + x[0, 1] * x[0, 1];
        var g = GradCheck.Gradient(F, Mat.Row(3, 4));
        Assert.Equal(6, g[0, 0], 8);
        Assert.Equal(8, g[0, 1], 8);
        var g2 = GradCheck.Gradient(F, Mat.Row(0, 2));
        Assert.Equal(0, g2[0, 0], 8);
        Assert.Equal(4, g2[0, 1], 8);
    }

    [Fact]
    public void Gradient_descent_from_minus3_4_with_lr_0_1_for_20_steps()
    {
        static double F(Tensor x) => x[0, 0] * x[0, 0] + x[0, 1] * x[0, 1];
        var x0 = Mat.Row(-3, 4);
        var path = GradCheck.Descent(F, x0, 0.1, 20);
        Assert.Equal(21, path.Count);
        // each step multiplies x by (1 − 2·0.1) = 0.8
        Assert.Equal(-3 * Math.Pow(0.8, 20), path.Last[0, 0], 8);
        Assert.Equal(4 * Math.Pow(0.8, 20), path.Last[0, 1], 8);
        Assert.Equal(Mat.Row(-3, 4), x0); // the start point was not touched
    }

    [Fact]
    public void Compare_detects_a_wrong_gradient()
    {
        var a = Mat.Row(1, 2, 3);
        var d = GradCheck.Compare(a, Mat.Row(1, 2, 3.3));
        Assert.Equal(0.1, d.MeanAbsDiff, 12);
        Assert.Equal(0.3 / 3.3, d.MaxRelError, 12);
        Assert.Equal(0, GradCheck.Compare(a, a).MaxRelError);
        Assert.InRange(GradCheck.Compare(Mat.Row(0, 0), Mat.Row(0, 1e-18)).MaxRelError, 0.99e-12, 1.01e-12);
    }
}
