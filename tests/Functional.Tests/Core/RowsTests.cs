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
        Assert.False(Mat.RowMajorIsPalette(x)); // 407 distinct normal draws: the copy holds the doubles
        AssertBitwise(
            Support.Reference.Rows(x, index.AsSpan(0, 5).ToArray()),
            Mat.RowsViaRowMajor(x, index.AsSpan(0, 5)),
            "fewer than 8 rows"
        );
    }

    /// <summary>Batch sizes below 8, a multiple of 8, 8k plus a tail, and repeated rows.</summary>
    static readonly int[][] Batches =
    [
        [36],
        [2, 0, 1],
        [35, 1, 30, 4, 2, 9, 17],
        [0, 1, 2, 3, 4, 5, 6, 7],
        [8, 36, 0, 5, 5, 17, 2, 36, 9],
        [36, 0, 5, 5, 17, 2, 36, 9, 10, 11, 1, 3, 33, 30, 29, 8, 7, 6, 4, 12, 13],
        [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 36],
    ];

    /// <summary>
    /// Distinct bit patterns: ±0, ±∞, NaNs with different signs and payloads (a signalling one too), subnormal and
    /// extreme finite values, then byte-like values i/255 and their negatives until there are <paramref name="count"/>.
    /// </summary>
    static double[] DistinctValues(int count)
    {
        double[] special =
        [
            0.0,
            -0.0,
            double.PositiveInfinity,
            double.NegativeInfinity,
            double.NaN, // 0xFFF8…0 in .NET
            BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0000),
            BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_0001),
            BitConverter.Int64BitsToDouble(0x7FF0_0000_0000_0001), // signalling
            double.Epsilon,
            double.MaxValue,
            double.MinValue,
        ];
        var seen = new HashSet<long>();
        var values = new List<double>();
        foreach (var v in special.Concat(Enumerable.Range(1, 255).SelectMany(i => new[] { i / 255.0, -i / 255.0 })))
            if (values.Count < count && seen.Add(BitConverter.DoubleToInt64Bits(v)))
                values.Add(v);
        Assert.Equal(count, values.Count);
        return [.. values];
    }

    /// <summary>A 37×9 matrix using every one of <paramref name="values"/> (333 elements, stride 7 through them).</summary>
    static Tensor Tiled(double[] values) =>
        Tensor.Wrap(37, 9, Enumerable.Range(0, 37 * 9).Select(e => values[e * 7 % values.Length]).ToArray());

    static void AssertEveryBatchBitwise(Tensor x)
    {
        foreach (var index in Batches)
        {
            var expected = Support.Reference.Rows(x, index);
            AssertBitwise(expected, Mat.RowsViaRowMajor(x, index), $"row-major gather of {index.Length} rows");
            AssertBitwise(expected, Mat.RowsColumnMajor(x, index), $"column-major gather of {index.Length} rows");
        }
    }

    [Fact]
    public void At_most_256_distinct_values_are_gathered_bitwise_through_palette_codes()
    {
        var x = Tiled(DistinctValues(256));
        Assert.True(Mat.RowMajorIsPalette(x));
        AssertEveryBatchBitwise(x);
    }

    [Fact]
    public void A_few_special_values_are_gathered_bitwise_through_palette_codes()
    {
        var x = Tiled(DistinctValues(11)); // ±0, ±∞, four NaNs, ε, ±max: only the specials
        Assert.True(Mat.RowMajorIsPalette(x));
        AssertEveryBatchBitwise(x);
    }

    [Fact]
    public void A_257th_distinct_value_falls_back_to_the_copy_of_the_doubles()
    {
        var values = DistinctValues(257);
        var data = Enumerable.Range(0, 37 * 9).Select(e => values[e * 7 % 256]).ToArray();
        data[^1] = values[256]; // the 257th turns up at the very last element the palette builder reads
        var x = Tensor.Wrap(37, 9, data);
        Assert.False(Mat.RowMajorIsPalette(x));
        AssertEveryBatchBitwise(x);
    }

    /// <summary>
    /// Batches large enough to be gathered by the workers (<see cref="Mat.ParallelGather"/> elements), from palette
    /// codes and from doubles: every cut into parts, run part by part here and by the workers, gives the reference's
    /// bits (the cuts fall on 8-row blocks; 203 rows leave a 3-row tail in the last part).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gathers_in_parts_equal_the_reference_for_every_cut(bool palette)
    {
        var x = palette ? Tensor.Generate(400, 90, (i, j) => (i * 7 + j * 13) % 256 / 255.0) : Normal(5, 400, 90);
        Assert.Equal(palette, Mat.RowMajorIsPalette(x));
        var index = Enumerable.Range(0, 203).Select(i => i * 37 % 400).ToArray();
        Assert.True((long)index.Length * x.ColumnCount >= Mat.ParallelGather);
        var expected = Support.Reference.Rows(x, index);
        AssertBitwise(expected, Mat.RowsViaRowMajor(x, index), "gather by the workers");
        foreach (var parts in new[] { 1, 2, 3, 7, 26 })
            AssertBitwise(expected, Mat.RowsInParts(x, index, parts), $"gather in {parts} parts");
    }

    /// <summary>
    /// The training loop's gather into a buffer it reuses: whatever the buffer held before (NaN here, then the
    /// previous batch), both paths write every element with the reference's bits, small batches and worker-sized ones.
    /// </summary>
    [Theory]
    [InlineData(true, 19)]
    [InlineData(false, 19)]
    [InlineData(true, 203)]
    [InlineData(false, 203)]
    public void Gathers_into_a_reused_scratch_array_overwrite_all_of_it(bool rowMajor, int rows)
    {
        var x = Tensor.Generate(400, 90, (i, j) => (i * 7 + j * 13) % 256 / 255.0);
        var first = Enumerable.Range(0, rows).Select(i => i * 37 % 400).ToArray();
        var second = Enumerable.Range(0, rows).Select(i => (i * 91 + 5) % 400).ToArray();
        var scratch = new StepScratch();
        scratch.Next(rows, 90).D.AsSpan().Fill(double.NaN); // stale values the gather must overwrite
        scratch.Reset();
        var a = Mat.RowsInto(x, first, scratch, rowMajor);
        AssertBitwise(Support.Reference.Rows(x, first), a, "first batch");
        scratch.Reset();
        var b = Mat.RowsInto(x, second, scratch, rowMajor);
        AssertBitwise(Support.Reference.Rows(x, second), b, "second batch, same array");
        Assert.Same(Mat.Data(a), Mat.Data(b));
    }

    [Fact]
    public void A_scratch_gather_rejects_an_index_outside_the_rows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Mat.RowsInto(Normal(2, 4, 3), [1, 4], new StepScratch())
        );
        Assert.Contains("row 4 is outside 0..3", e.Message);
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
