using System.Runtime.Intrinsics.X86;
using Functional.LinearAlgebra;
using Xunit;

namespace Functional.Tests.LinearAlgebra;

/// <summary>
/// The zero-skipping path (Gemm.Sparse.cs) against the dense kernel: same bits for every shape, transposition,
/// alpha/beta, thread count and density, and a clean fallback when it must not skip (0·∞ = NaN).
/// </summary>
public class GemmSparseTests
{
    /// <summary>Values in [-1, 1) with about <paramref name="zeros"/> of them replaced by +0 or −0.</summary>
    private static double[] Sparse(int length, ulong seed, double zeros)
    {
        var x = GemmTestData.Values(length, seed);
        var u = GemmTestData.Values(length, seed + 1000);
        for (int i = 0; i < x.Length; i++)
        {
            if ((u[i] + 1) / 2 < zeros)
                x[i] = (i & 1) == 0 ? 0.0 : -0.0;
        }

        return x;
    }

    private static double[] Dense(
        bool ta,
        bool tb,
        int m,
        int n,
        int k,
        double alpha,
        double[] a,
        double[] b,
        double beta,
        double[] c0,
        int threads
    )
    {
        var c = (double[])c0.Clone();
        Gemm.SparseEnabled = false;
        try
        {
            Gemm.Multiply(ta, tb, m, n, k, alpha, a, ta ? k : m, b, tb ? n : k, beta, c, m, threads);
        }
        finally
        {
            Gemm.SparseEnabled = true;
        }

        return c;
    }

    public static TheoryData<bool, bool, int, int, int, double> Shapes =>
        new()
        {
            { false, false, 100, 50, 784, 0.5 }, // X·W of the two-layer net (4 k blocks, n padded to 56)
            { true, false, 784, 50, 100, 0.5 }, // Xᵀ·dZ
            { false, true, 256, 100, 200, 0.5 }, // dZ·Wᵀ
            { false, false, 128, 100, 784, 0.9 }, // very sparse
            { false, false, 65, 200, 600, 0.4 }, // two column chunks (128 + 72), 3 k blocks
            { true, true, 63, 7, 600, 0.6 }, // narrow C, odd everything
            { false, true, 70, 129, 513, 0.5 }, // 3 k blocks, chunk + 1 column
            { true, false, 9, 784, 3700, 0.7 }, // 15 k blocks, one row panel
        };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Same_bits_as_the_dense_kernel(bool ta, bool tb, int m, int n, int k, double zeros)
    {
        var a = Sparse(m * k, 61, zeros);
        var b = GemmTestData.Values(k * n, 62);
        var c0 = GemmTestData.Values(m * n, 63);
        foreach (var (alpha, beta) in new[] { (1.0, 0.0), (-1.25, 0.75), (0.5, 1.0) })
        {
            var dense = Dense(ta, tb, m, n, k, alpha, a, b, beta, c0, 1);
            foreach (int threads in new[] { 1, 2 })
            {
                var c = (double[])c0.Clone();
                var taken = Gemm.SparseProducts;
                Gemm.Multiply(ta, tb, m, n, k, alpha, a, ta ? k : m, b, tb ? n : k, beta, c, m, threads);
                GemmTestData.AssertBitwise(dense, c);
                if (Avx512F.IsSupported)
                    Assert.True(Gemm.SparseProducts > taken, "the sparse path was not taken");
            }
        }
    }

    [Fact]
    public void Matches_the_triple_loop_on_a_sparse_operand()
    {
        const int m = 100,
            n = 50,
            k = 784;
        var a = Sparse(m * k, 71, 0.5);
        var b = GemmTestData.Values(k * n, 72);
        var c = new double[m * n];
        var taken = Gemm.SparseProducts;
        Gemm.Multiply(false, false, m, n, k, 1.0, a, m, b, k, 0.0, c, m);
        Assert.True(!Avx512F.IsSupported || Gemm.SparseProducts > taken, "the sparse path was not taken");
        var (expected, scale) = GemmTestData.Reference(
            false,
            false,
            m,
            n,
            k,
            1.0,
            a,
            m,
            b,
            k,
            0.0,
            new double[m * n],
            m
        );
        for (int i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-12 * scale[i], $"element {i}: {c[i]} vs {expected[i]}");
    }

    [Fact]
    public void A_zero_times_infinity_is_still_NaN()
    {
        const int m = 64,
            n = 40,
            k = 600;
        var a = Sparse(m * k, 81, 0.6);
        var b = GemmTestData.Values(k * n, 82);
        // Row p of B (column j = 3) is +∞ where column p of A is entirely zero in row 5.
        int p = Enumerable.Range(0, k).First(q => a[(q * m) + 5] == 0.0);
        b[(3 * k) + p] = double.PositiveInfinity;
        var c = new double[m * n];
        var taken = Gemm.SparseProducts;
        Gemm.Multiply(false, false, m, n, k, 1.0, a, m, b, k, 0.0, c, m);
        Assert.Equal(taken, Gemm.SparseProducts); // refused: op(B) is not finite
        Assert.True(double.IsNaN(c[(3 * m) + 5]), $"C[5,3] = {c[(3 * m) + 5]}, expected NaN from 0·∞");
        GemmTestData.AssertBitwise(Dense(false, false, m, n, k, 1.0, a, b, 0.0, new double[m * n], 1), c);
    }

    [Fact]
    public void A_NaN_in_the_sparse_operand_propagates()
    {
        const int m = 64,
            n = 40,
            k = 600;
        var a = Sparse(m * k, 91, 0.6);
        a[(17 * m) + 9] = double.NaN;
        var b = GemmTestData.Values(k * n, 92);
        var c = new double[m * n];
        var taken = Gemm.SparseProducts;
        Gemm.Multiply(false, false, m, n, k, 1.0, a, m, b, k, 0.0, c, m);
        Assert.True(!Avx512F.IsSupported || Gemm.SparseProducts > taken, "the sparse path was not taken");
        for (int j = 0; j < n; j++)
            Assert.True(double.IsNaN(c[(j * m) + 9]), $"C[9,{j}] should be NaN");
        GemmTestData.AssertBitwise(Dense(false, false, m, n, k, 1.0, a, b, 0.0, new double[m * n], 1), c);
    }

    [Fact]
    public void An_all_zero_operand_gives_positive_zeros()
    {
        const int m = 64,
            n = 24,
            k = 600;
        var a = new double[m * k];
        var b = GemmTestData.Values(k * n, 93);
        var c = GemmTestData.Values(m * n, 94);
        Gemm.Multiply(false, false, m, n, k, 1.0, a, m, b, k, 0.0, c, m);
        Assert.All(c, v => Assert.Equal(0L, BitConverter.DoubleToInt64Bits(v)));
    }
}
