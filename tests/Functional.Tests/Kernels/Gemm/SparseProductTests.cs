using Functional.Kernels;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>Aᵀ·B from A's listed elements (Gemm.MultiplySparseTransposed) against the GEMM's product on the dense A:
/// bitwise, at shapes that cross the k blocks, the parts and the 32-lane passes, with −0 and NaN in A; an infinity
/// in B hands the product back; malformed lists are refused.</summary>
public sealed class SparseProductTests
{
    /// <summary>A k×m with about <paramref name="keep"/> of its elements non-zero, and its columns listed: the
    /// non-zeros and, to give every column the same count, the first zeros, in increasing row order.</summary>
    static (double[] Dense, Gemm.SparseColumns Listed) Sparse(int m, int k, ulong seed, double keep)
    {
        var v = GemmTestData.Values(k * m, seed);
        var u = GemmTestData.Values(k * m, seed + 1000);
        for (var i = 0; i < v.Length; i++)
            if ((u[i] + 1) / 2 >= keep)
                v[i] = i % 7 == 0 ? -0.0 : 0.0;
        var lists = Enumerable
            .Range(0, m)
            .Select(c => Enumerable.Range(0, k).Where(r => v[c * k + r] != 0.0 || double.IsNaN(v[c * k + r])).ToList())
            .ToList();
        var count = lists.Max(l => l.Count);
        foreach (var (l, c) in lists.Select((l, c) => (l, c)))
        foreach (var r in Enumerable.Range(0, k).Where(r => v[c * k + r] == 0.0).Take(count - l.Count).ToList())
            l.Add(r);
        var stride = count + 3;
        var rows = new double[m * stride];
        var values = new double[m * stride];
        for (var c = 0; c < m; c++)
        {
            var sorted = lists[c].OrderBy(r => r).ToArray();
            for (var t = 0; t < count; t++)
                (rows[c * stride + t], values[c * stride + t]) = (sorted[t], v[c * k + sorted[t]]);
        }
        return (v, new Gemm.SparseColumns(rows, values, m, stride, count));
    }

    static (double[] Dense, double[]? Listed) Both(
        int m,
        int n,
        int k,
        double[] a,
        Gemm.SparseColumns listed,
        double[] b
    )
    {
        var dense = new double[m * n];
        Gemm.Multiply(new Gemm.Product(true, false, m, n, k, a, k, b, k, dense, m));
        var (parts, work) = Gemm.SparsePlan(m, n, k);
        var c = new double[m * n];
        return (dense, Gemm.MultiplySparseTransposed(m, n, k, listed, b, k, c, m, new double[work], parts) ? c : null);
    }

    [Theory]
    [InlineData(30, 25, 57600, 0.25)]
    [InlineData(30, 25, 1000, 0.25)]
    [InlineData(7, 33, 513, 0.5)]
    [InlineData(16, 64, 300, 1.0)]
    [InlineData(3, 5, 17, 0.1)]
    [InlineData(1, 1, 1, 1.0)]
    [InlineData(9, 70, 2049, 0.0)]
    public void Equals_the_product_bitwise(int m, int n, int k, double keep)
    {
        var (a, listed) = Sparse(m, k, (ulong)(m * 31 + n), keep);
        var b = GemmTestData.Values(k * n, (ulong)(k + 7));
        var (dense, sparse) = Both(m, n, k, a, listed, b);
        Assert.NotNull(sparse);
        Assert.Equal(dense.Select(BitConverter.DoubleToInt64Bits), sparse.Select(BitConverter.DoubleToInt64Bits));
        if (keep == 0.0)
            Assert.All(sparse!, v => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(v)));
    }

    [Fact]
    public void A_nan_in_a_comes_out_as_in_the_product_and_an_infinity_in_b_hands_it_back()
    {
        int m = 4,
            n = 6,
            k = 700;
        var (a, listed) = Sparse(m, k, 5, 0.3);
        listed.Values[0] = double.NaN; // column 0's first listed element
        a[(int)listed.Rows[0]] = double.NaN;
        var b = GemmTestData.Values(k * n, 6);
        var (dense, sparse) = Both(m, n, k, a, listed, b);
        Assert.Equal(dense.Select(BitConverter.DoubleToInt64Bits), sparse!.Select(BitConverter.DoubleToInt64Bits));
        Assert.True(double.IsNaN(sparse![0]));
        b[2 * k + 400] = double.PositiveInfinity; // 0·∞ counts in the dense product: not computed from the list
        var c = Enumerable.Repeat(7.0, m * n).ToArray();
        var (parts, work) = Gemm.SparsePlan(m, n, k);
        Assert.False(Gemm.MultiplySparseTransposed(m, n, k, listed, b, k, c, m, new double[work], parts));
        Assert.All(c, v => Assert.Equal(7.0, v));
    }

    [Fact]
    public void Malformed_lists_and_short_work_are_refused_with_what_is_wrong()
    {
        var (a, listed) = Sparse(3, 600, 9, 0.5);
        var b = GemmTestData.Values(600 * 4, 10);
        var (parts, work) = Gemm.SparsePlan(3, 4, 600);
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplySparseTransposed(3, 4, 600, listed, b, 600, new double[12], 3, new double[work - 1], parts)
        );
        Assert.Contains($"gives {work}", e.Message);
        var outside = listed with { Rows = (double[])listed.Rows.Clone() };
        outside.Rows[listed.Count - 1] = 600;
        Assert.Contains(
            "outside [0, 600)",
            Assert
                .Throws<ArgumentException>(() =>
                    Gemm.MultiplySparseTransposed(
                        3,
                        4,
                        600,
                        outside,
                        b,
                        600,
                        new double[12],
                        3,
                        new double[work],
                        parts
                    )
                )
                .Message
        );
        var down = listed with { Rows = (double[])listed.Rows.Clone() };
        (down.Rows[1], down.Rows[2]) = (down.Rows[2], down.Rows[1] - 1000);
        Assert.Contains(
            "do not increase",
            Assert
                .Throws<ArgumentException>(() =>
                    Gemm.MultiplySparseTransposed(3, 4, 600, down, b, 600, new double[12], 3, new double[work], parts)
                )
                .Message
        );
    }
}
