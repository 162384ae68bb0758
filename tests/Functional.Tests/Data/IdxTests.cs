using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    [Fact]
    public void Reads_dims_and_data_of_a_valid_file()
    {
        var data = Enumerable.Range(0, 24).Select(i => (byte)(i * 11)).ToArray();
        var idx = FinAssert.Succ(Idx.Read(tmp.Write("ok.idx", IdxBytes.Make([2, 3, 4], data))));
        Assert.Equal([2, 3, 4], idx.Dims.ToArray());
        Assert.Equal(data, idx.Data.ToArray());
        Assert.Equal(16, idx.HeaderLength);
    }

    [Fact]
    public void Gzip_and_plain_give_identical_results_whatever_the_file_name()
    {
        var plain = IdxBytes.Images(5);
        var a = FinAssert.Succ(Idx.Read(tmp.Write("plain.gz", plain))); // misleading name on purpose
        var b = FinAssert.Succ(Idx.Read(tmp.Write("packed", IdxBytes.Gzip(plain))));
        Assert.Equal(a.Dims.ToArray(), b.Dims.ToArray());
        Assert.Equal(a.Data.ToArray(), b.Data.ToArray());
    }

    [Fact]
    public void Wrong_magic_names_file_and_offset()
    {
        var bytes = IdxBytes.Images(1);
        bytes[1] = 0x42;
        FinAssert.Fail(Idx.Read(tmp.Write("magic.idx", bytes)), "magic.idx", "offset 0", "magic");
    }

    [Fact]
    public void Unsupported_type_code_names_offset_2()
    {
        var bytes = IdxBytes.Make([2], [0, 0, 0, 0, 0, 0, 0, 0], type: 0x0D);
        FinAssert.Fail(Idx.Read(tmp.Write("float.idx", bytes)), "float.idx", "offset 2", "0x0d");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Dimension_count_outside_1_to_4_names_offset_3(byte rank)
    {
        var bytes = IdxBytes.Labels(1, 2, 3);
        bytes[3] = rank;
        FinAssert.Fail(Idx.Read(tmp.Write("rank.idx", bytes)), "rank.idx", "offset 3");
    }

    [Fact]
    public void Truncated_header_names_where_it_ends()
    {
        var bytes = IdxBytes.Images(1)[..9]; // magic + 5 of the 12 size bytes
        FinAssert.Fail(Idx.Read(tmp.Write("short.idx", bytes)), "short.idx", "truncated header", "offset 9");
        FinAssert.Fail(Idx.Read(tmp.Write("tiny.idx", [0, 0])), "tiny.idx", "truncated header", "offset 2");
    }

    [Fact]
    public void Truncated_data_names_declared_and_actual_end()
    {
        var bytes = IdxBytes.Images(2)[..^4]; // header 16 + 12 data bytes, 8 of them kept
        FinAssert.Fail(Idx.Read(tmp.Write("cut.idx", bytes)), "cut.idx", "truncated data", "offset 24");
        FinAssert.Fail(Idx.Read(tmp.Write("cut.gz", IdxBytes.Gzip(bytes))), "cut.gz", "truncated data", "offset 24");
    }

    [Fact]
    public void Trailing_data_names_where_the_data_should_end()
    {
        byte[] bytes = [.. IdxBytes.Images(2), 7, 7, 7];
        FinAssert.Fail(Idx.Read(tmp.Write("long.idx", bytes)), "long.idx", "trailing data", "offset 28");
        FinAssert.Fail(Idx.Read(tmp.Write("long.gz", IdxBytes.Gzip(bytes))), "long.gz", "trailing data", "offset 28");
    }

    [Fact]
    public void Dimensions_near_int_max_fail_fast_without_allocating()
    {
        var huge = IdxBytes.Make([int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue], [1, 2, 3]);
        FinAssert.Fail(Idx.Read(tmp.Write("huge.idx", huge)), "huge.idx", "offset 20", "truncated data");
        FinAssert.Fail(Idx.Read(tmp.Write("huge.gz", IdxBytes.Gzip(huge))), "huge.gz", "offset 20", "truncated data");
        // Just under Array.MaxLength in one dimension: still far more than the file holds.
        var big = IdxBytes.Make([int.MaxValue - 64], [1]);
        FinAssert.Fail(Idx.Read(tmp.Write("big.gz", IdxBytes.Gzip(big))), "big.gz", "offset 8");
    }

    [Fact]
    public void Dimension_with_the_sign_bit_set_names_its_offset()
    {
        var bytes = IdxBytes.Make([2, -1], [1, 2]);
        FinAssert.Fail(Idx.Read(tmp.Write("neg.idx", bytes)), "neg.idx", "dimension 1", "offset 8");
    }

    [Fact]
    public void Gzip_holding_far_more_than_declared_reports_trailing_data()
    {
        // 32 MiB of zeros compress to ~32 KiB; the reader stops one byte past the declared 16 bytes.
        var bomb = IdxBytes.Gzip(IdxBytes.Make([16], new byte[32 << 20]));
        FinAssert.Fail(Idx.Read(tmp.Write("bomb.gz", bomb)), "bomb.gz", "trailing data", "offset 24");
    }

    [Fact]
    public void Corrupt_gzip_stream_names_the_file()
    {
        var gz = IdxBytes.Gzip(IdxBytes.Images(20));
        for (int i = 10; i < gz.Length - 8; i++)
            gz[i] ^= 0x5A;
        FinAssert.Fail(Idx.Read(tmp.Write("corrupt.gz", gz)), "corrupt.gz");
        FinAssert.Fail(Idx.Read(tmp.Write("header-only.gz", [0x1f, 0x8b, 8, 0, 0, 0])), "header-only.gz");
    }

    [Fact]
    public void Missing_file_is_a_failure_naming_it()
    {
        FinAssert.Fail(Idx.Read(Path.Combine(tmp.Path, "nope.idx")), "nope.idx");
    }
}
