using Functional.Core;
using Xunit;

namespace Functional.Tests.Core;

public class FunctionsTests
{
    // The book's chapter 4 example: the network says "2" with probability 0.6.
    static readonly double[] Y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0];
    static readonly double[] T = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0];

    [Fact]
    public void Sum_squared_error_matches_the_books_worked_values()
    {
        Assert.Equal(0.0975, Functions.SumSquaredError(Mat.Row(Y), Mat.Row(T)), 12);
        var wrong = (double[])Y.Clone();
        (wrong[2], wrong[7]) = (0.1, 0.6);
        Assert.Equal(0.5975, Functions.SumSquaredError(Mat.Row(wrong), Mat.Row(T)), 12);
    }

    [Fact]
    public void Cross_entropy_matches_the_books_worked_values_for_one_hot_and_labels()
    {
        Assert.Equal(-Math.Log(0.6 + 1e-7), Functions.CrossEntropy(Mat.Row(Y), Mat.Row(T)), 14);
        Assert.Equal(0.510825457099338, Functions.CrossEntropy(Mat.Row(Y), Mat.Row(T)), 12);
        var wrong = (double[])Y.Clone();
        (wrong[2], wrong[7]) = (0.1, 0.6);
        Assert.Equal(2.302584092994546, Functions.CrossEntropy(Mat.Row(wrong), [2]), 12);
    }

    [Fact]
    public void Cross_entropy_is_batch_averaged_and_label_and_one_hot_forms_agree()
    {
        var y = Functions.Softmax(Support.TestData.Normal(3, 5, 4));
        var labels = new[] { 0, 3, 1, 1, 2 };
        var one = Functions.CrossEntropy(y, Mat.OneHot(labels, 4));
        var two = Functions.CrossEntropy(y, labels);
        Assert.Equal(one, two, 14);
        var manual = -Enumerable.Range(0, 5).Sum(i => Math.Log(y[i, labels[i]] + 1e-7)) / 5;
        Assert.Equal(manual, one, 14);
    }

    [Fact]
    public void Softmax_rows_sum_to_one_and_survive_huge_logits()
    {
        var x = Mat.FromRows([
            [0.3, 2.9, 4.0],
            [1e4, -1e4, 0],
            [-1e4, -1e4, -1e4],
        ]);
        var y = Functions.Softmax(x);
        for (var i = 0; i < 3; i++)
            Assert.Equal(1.0, y.RowValues(i).Sum(), 14);
        Assert.True(y.Enumerate().All(double.IsFinite));
        Assert.Equal(0.018211273295547534, y[0, 0], 15); // the book's softmax([0.3, 2.9, 4.0])
        Assert.Equal(1.0, y[1, 0]);
        Assert.True(double.IsFinite(Functions.CrossEntropy(y, [1, 1, 1])));
    }

    [Fact]
    public void Elementwise_functions()
    {
        Assert.Equal([0.0, 1.0], new[] { Functions.Step(-1.0), Functions.Step(2.0) });
        Assert.Equal(0.5, Functions.Sigmoid(0.0));
        Assert.Equal(0.25, Functions.SigmoidGrad(0.0));
        Assert.Equal([0.0, 3.0], new[] { Functions.Relu(-2.0), Functions.Relu(3.0) });
        Assert.Equal(Math.Tanh(0.7), Functions.Tanh(0.7), 15);
        Assert.Equal(1.5, Functions.Identity(1.5));
        Assert.Equal(0.125, Functions.MeanSquaredError(Mat.Row(1, 2), Mat.Row(1.5, 2)));
    }
}
