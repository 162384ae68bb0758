using Functional.Core;
using Functional.Tests.Support;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>The validation rows held out of a training set by the run's key.</summary>
public class ValidationSplitTests
{
    [Fact]
    public void The_split_is_a_partition_fixed_by_the_key()
    {
        var d = TestData.Toy(1, 50);
        var a = ValidationSplit.Of(d, 0.1, Key.Of(7));
        Assert.Equal(5, a.Validation.Count);
        Assert.Equal(45, a.Train.Count);
        var b = ValidationSplit.Of(d, 0.1, Key.Of(7));
        Assert.True(Mat.BitwiseEqual(a.Validation.X, b.Validation.X));
        var rows = Enumerable.Range(0, 50).Select(i => Mat.Data(Mat.RowRange(d.X, i, 1)).ToArray()[0]).ToList();
        var seen = Enumerable
            .Range(0, 45)
            .Select(i => Mat.Data(Mat.RowRange(a.Train.X, i, 1)).ToArray()[0])
            .Concat(Enumerable.Range(0, 5).Select(i => Mat.Data(Mat.RowRange(a.Validation.X, i, 1)).ToArray()[0]))
            .Order()
            .ToList();
        Assert.Equal(rows.Order(), seen);
        var c = ValidationSplit.Of(d, 0.1, Key.Of(8));
        Assert.False(Mat.BitwiseEqual(a.Validation.X, c.Validation.X));
        Assert.Throws<ArgumentOutOfRangeException>(() => ValidationSplit.Of(d, 0, Key.Of(7)));
        Assert.Throws<ArgumentException>(() => ValidationSplit.Of(TestData.Toy(1, 2), 0.9, Key.Of(7)));
    }
}
