using Functional.Core;

namespace Functional.Tests.Support;

/// <summary>Small seeded inputs for tests (drawn from the library's own Key, so they are the same everywhere).</summary>
public static class TestData
{
    public static Tensor Normal(ulong seed, int rows, int cols, double scale = 1.0) =>
        Sampling.Normal(Key.Of(seed), rows, cols) * scale;

    public static int[] Labels(ulong seed, int n, int classes) => Sampling.Choice(Key.Of(seed), classes, n);

    public static Tensor OneHot(ulong seed, int n, int classes) => Mat.OneHot(Labels(seed, n, classes), classes);

    public static Tensor DeepCopy(Tensor m) => Tensor.FromColumnMajor(m.RowCount, m.ColumnCount, m.Span);

    /// <summary>The optimizer names of <c>Optimizers.Parse</c> the training tests run (each built-in rule once).</summary>
    public static readonly string[] RuleNames = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"];

    /// <summary>A seeded 3-class data set of <paramref name="n"/> samples with 6 normal features.</summary>
    public static Functional.Data.Dataset Toy(ulong seed, int n)
    {
        var labels = Labels(seed + 1, n, 3);
        return new("toy", Normal(seed, n, 6), Mat.OneHot(labels, 3), [.. labels], ["a", "b", "c"]);
    }

    public static void AssertBitwise(Tensor expected, Tensor actual, string what) =>
        Xunit.Assert.True(Mat.BitwiseEqual(expected, actual), $"{what} changed");
}
