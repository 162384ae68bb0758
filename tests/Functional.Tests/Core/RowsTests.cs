using Functional.Core;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Core;

public class RowsTests
{
    [Fact]
    public void Both_gather_paths_equal_the_element_by_element_reference()
    {
        var x = Normal(1, 37, 11);
        int[] index = [36, 0, 5, 5, 17, 2, 36, 9, 10, 11, 1, 3, 33, 30, 29, 8, 7, 6, 4]; // two blocks of 8 and a tail
        var expected = Support.Reference.Rows(x, index);
        AssertBitwise(expected, Mat.Rows(x, index), "Rows");
        AssertBitwise(expected, Mat.RowsColumnMajor(x, index), "column-major gather");
        AssertBitwise(expected, Mat.RowsViaRowMajor(x, index), "row-major gather");
        AssertBitwise(expected, Mat.RowsViaRowMajor(x, index), "row-major gather, memoised copy");
        AssertBitwise(
            Support.Reference.Rows(x, index.AsSpan(0, 5).ToArray()),
            Mat.RowsViaRowMajor(x, index.AsSpan(0, 5)),
            "fewer than 8 rows"
        );
    }

    [Fact]
    public void An_index_outside_the_rows_is_rejected_with_its_value()
    {
        var x = Normal(2, 4, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Mat.Rows(x, [1, 4]));
        Assert.Contains("row 4 is outside 0..3", e.Message);
    }

    [Fact]
    public void No_rows_give_an_empty_batch()
    {
        var r = Mat.Rows(Normal(3, 4, 3), []);
        Assert.Equal((0, 3), (r.RowCount, r.ColumnCount));
    }
}
