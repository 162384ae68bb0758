using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

public sealed class DatasetTests
{
    private static Dataset Small()
    {
        var x = Tensor.Generate(5, 2, (i, j) => 10 * i + j);
        int[] labels = [0, 1, 2, 1, 0];
        var t = Tensor.Generate(5, 3, (i, j) => labels[i] == j ? 1 : 0);
        return new Dataset("small", x, t, [.. labels], ["a", "b", "c"]);
    }

    [Fact]
    public void Rows_keeps_the_given_order_for_X_T_and_labels()
    {
        var d = Small().Rows([4, 0, 2, 2]);
        Assert.Equal(4, d.Count);
        Assert.Equal([40.0, 0, 20, 20], d.X.Column(0).ToArray());
        Assert.Equal([0, 0, 2, 2], d.Labels.ToArray());
        for (int i = 0; i < d.Count; i++)
            Assert.Equal(d.Labels[i], d.T.RowValues(i).MaximumIndex());
        Assert.Equal(["a", "b", "c"], d.ClassNames.ToArray());
    }

    [Fact]
    public void Take_is_a_prefix_and_clamps()
    {
        Assert.Equal(Small().X.SubMatrix(0, 2, 0, 2), Small().Take(2).X);
        Assert.Equal(5, Small().Take(99).Count);
        Assert.Equal(0, Small().Take(-1).Count);
    }

    [Fact]
    public void Rows_rejects_out_of_range_indices()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Small().Rows([5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Small().Rows([-1]));
    }

    [Fact]
    public void Split_partitions_the_rows_in_permutation_order()
    {
        int[] perm = [3, 1, 4, 0, 2];
        var tt = Splits.ByPermutation(Small(), perm, 2);
        Assert.Equal([30.0, 10], tt.Test.X.Column(0).ToArray());
        Assert.Equal([40.0, 0, 20], tt.Train.X.Column(0).ToArray());
        var all = tt.Train.X.Column(0).Concat(tt.Test.X.Column(0)).Order();
        Assert.Equal(Small().X.Column(0).Order(), all);
    }

    [Fact]
    public void Split_rejects_non_permutations_and_bad_counts()
    {
        Assert.Throws<ArgumentException>(() => Splits.ByPermutation(Small(), [0, 1, 1, 2, 3], 1));
        Assert.Throws<ArgumentException>(() => Splits.ByPermutation(Small(), [0, 1, 2], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Splits.ByPermutation(Small(), [0, 1, 2, 3, 4], 6));
    }

    [Fact]
    public void Test_count_rounds_up()
    {
        Assert.Equal(450, Splits.TestCount(1797, 0.25));
        Assert.Equal(25, Splits.TestCount(100, 0.25));
        Assert.Equal(0, Splits.TestCount(10, 0));
    }
}
