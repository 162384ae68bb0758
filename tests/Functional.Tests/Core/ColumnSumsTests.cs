using Functional.Core;
using Xunit;

namespace Functional.Tests.Core;

public class ColumnSumsTests
{
    /// <summary>Widths around the four-column blocks (tails of 1–3), heights 1, 7, 128: every column is summed
    /// from row 0 down, so each sum has the bits of the plain loop, and of nothing else.</summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(128, 4)]
    [InlineData(128, 9)]
    [InlineData(5, 10)]
    [InlineData(33, 100)]
    public void Each_column_is_summed_top_down_bitwise(int rows, int cols)
    {
        // Values of very different magnitudes, so that another order of the additions gives other bits.
        var x = Tensor.Generate(rows, cols, (i, j) => Math.Pow(10, (i * 7 + j * 3) % 17 - 8) * (i % 3 == 0 ? -1 : 1));
        var sums = Mat.ColumnSums(x);
        Assert.Equal((1, cols), (sums.RowCount, sums.ColumnCount));
        for (var j = 0; j < cols; j++)
        {
            var acc = 0.0;
            for (var i = 0; i < rows; i++)
                acc += x[i, j];
            Assert.Equal(BitConverter.DoubleToInt64Bits(acc), BitConverter.DoubleToInt64Bits(sums[0, j]));
        }
    }

    [Fact]
    public void A_matrix_without_rows_sums_to_zeros()
    {
        Assert.All(Mat.ColumnSums(Tensor.Zeros(0, 6)).ToArray(), v => Assert.Equal(0.0, v));
    }
}
