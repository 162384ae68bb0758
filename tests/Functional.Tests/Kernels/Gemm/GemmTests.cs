using Functional.Kernels;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>Shared helpers: a seeded generator and the plain triple-loop reference.</summary>
internal static class GemmTestData
{
    /// <summary>Values in [-1, 1) from a 64-bit LCG; the same seed gives the same array.</summary>
    public static double[] Values(int length, ulong seed)
    {
        var x = new double[length];
        ulong s = (seed * 0x9E3779B97F4A7C15UL) + 1442695040888963407UL;
        for (int i = 0; i < length; i++)
        {
            s = (s * 6364136223846793005UL) + 1442695040888963407UL;
            x[i] = ((s >> 11) * (1.0 / 9007199254740992.0 * 2.0)) - 1.0;
        }

        return x;
    }

    /// <summary>
    /// Reference C = alpha·op(A)·op(B) + beta·C (column-major) and, per element, the scale
    /// |alpha|·Σ|a||b| + |beta·c| that bounds the rounding error.
    /// </summary>
    public static (double[] C, double[] Scale) Reference(
        bool ta,
        bool tb,
        int m,
        int n,
        int k,
        double alpha,
        double[] a,
        int lda,
        double[] b,
        int ldb,
        double beta,
        double[] c0,
        int ldc
    )
    {
        var c = (double[])c0.Clone();
        var scale = new double[c.Length];
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                double sum = 0,
                    abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = ta ? a[(i * lda) + p] : a[(p * lda) + i];
                    double y = tb ? b[(p * ldb) + j] : b[(j * ldb) + p];
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }

                int at = (j * ldc) + i;
                double old = beta == 0.0 ? 0.0 : beta * c[at];
                c[at] = (alpha * sum) + old;
                scale[at] = (Math.Abs(alpha) * abs) + Math.Abs(old);
            }
        }

        return (c, scale);
    }

    public static void AssertClose(double[] expected, double[] scale, double[] actual, double tolerance = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            if (!(err <= tolerance * Math.Max(scale[i], double.Epsilon)) && err != 0)
            {
                Assert.Fail($"element {i}: expected {expected[i]:R}, got {actual[i]:R} (scale {scale[i]:R})");
            }
        }
    }

    public static void AssertBitwise(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
            {
                Assert.Fail($"element {i}: {expected[i]:R} vs {actual[i]:R} differ in bits");
            }
        }
    }
}

public class GemmTests
{
    public static TheoryData<int, int, int> Shapes() =>
        new()
        {
            { 1, 1, 1 },
            { 7, 7, 7 },
            { 1, 784, 7 },
            { 784, 1, 63 },
            { 63, 65, 784 },
            { 65, 63, 7 },
            { 784, 65, 1 },
            { 7, 63, 65 },
            { 65, 784, 63 },
            { 10, 32, 64 },
            { 10, 10, 32 },
            { 20, 10, 6 },
            { 128, 100, 200 },
            { 100, 130, 517 },
            { 33, 1, 600 },
        };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTripleLoopForAllTranspositions(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                int lda = ta ? k : m,
                    ldb = tb ? n : k;
                var a = GemmTestData.Values(m * k, (ulong)(m + (3 * n) + (7 * k)));
                var b = GemmTestData.Values(k * n, (ulong)((5 * m) + n + k));
                var c = new double[m * n];
                Gemm.Multiply(ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, m);
                var (expected, scale) = GemmTestData.Reference(
                    ta,
                    tb,
                    m,
                    n,
                    k,
                    1.0,
                    a,
                    lda,
                    b,
                    ldb,
                    0.0,
                    new double[m * n],
                    m
                );
                GemmTestData.AssertClose(expected, scale, c);
            }
        }
    }

    [Theory]
    [InlineData(false, false, 65, 63, 300, -0.75, 1.25)]
    [InlineData(true, false, 63, 65, 300, 2.0, -0.5)]
    [InlineData(false, true, 7, 784, 65, 0.5, 1.0)]
    [InlineData(true, true, 65, 7, 63, -1.0, 0.25)]
    [InlineData(false, false, 10, 32, 64, 1.5, 2.0)]
    [InlineData(true, false, 784, 100, 128, 1.0, 1.0)]
    public void AppliesAlphaAndBeta(bool ta, bool tb, int m, int n, int k, double alpha, double beta)
    {
        int lda = ta ? k : m,
            ldb = tb ? n : k;
        var a = GemmTestData.Values(m * k, 11);
        var b = GemmTestData.Values(k * n, 12);
        var c0 = GemmTestData.Values(m * n, 13);
        var c = (double[])c0.Clone();
        Gemm.Multiply(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, m);
        var (expected, scale) = GemmTestData.Reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, m);
        GemmTestData.AssertClose(expected, scale, c);
    }

    [Theory]
    [InlineData(false, false, 9, 5, 4)]
    [InlineData(true, true, 300, 70, 280)]
    [InlineData(false, true, 64, 64, 64)]
    public void BetaZeroIgnoresOldContentsEvenNaN(bool ta, bool tb, int m, int n, int k)
    {
        int lda = ta ? k : m,
            ldb = tb ? n : k;
        var a = GemmTestData.Values(m * k, 21);
        var b = GemmTestData.Values(k * n, 22);
        var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
        Gemm.Multiply(ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, m);
        var (expected, scale) = GemmTestData.Reference(ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, new double[m * n], m);
        GemmTestData.AssertClose(expected, scale, c);
    }

    /// <summary>The small-shape path packs all of k: a request over the 8 MB a thread keeps gets a buffer for the call
    /// only, so one huge product does not pin its packing for the thread's life; the result is unchanged.</summary>
    [Fact]
    public void A_huge_small_shape_product_leaves_the_threads_buffer_at_most_8_MB()
    {
        const int m = 8,
            n = 1,
            k = 200_000; // op(A) = Aᵀ packed as one 8-row panel over all of k: 2.4 M doubles with op(B)'s panel
        var a = GemmTestData.Values(k * m, 11);
        var b = GemmTestData.Values(k, 12);
        var c = new double[m];
        Gemm.Multiply(true, false, m, n, k, 1.0, a, k, b, k, 0.0, c, m, maxThreads: 1);
        var kept = (double[]?)
            typeof(Gemm)
                .GetField(
                    "t_scratch",
                    System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static
                )!
                .GetValue(null);
        Assert.True(kept is null || kept.Length <= 1 << 20, $"the thread keeps {kept?.Length} doubles");
        var (expected, scale) = GemmTestData.Reference(true, false, m, n, k, 1.0, a, k, b, k, 0.0, new double[m], m);
        GemmTestData.AssertClose(expected, scale, c);
    }

    [Fact]
    public void ZeroInnerDimensionScalesC()
    {
        var c = new[] { 1.0, 2.0, 3.0, 4.0 };
        Gemm.Multiply(false, false, 2, 2, 0, 1.0, [], 2, [], 1, 0.5, c, 2);
        Assert.Equal([0.5, 1.0, 1.5, 2.0], c);
        var nan = new[] { double.NaN, double.NaN };
        Gemm.Multiply(false, false, 2, 1, 0, 1.0, [], 2, [], 1, 0.0, nan, 2);
        Assert.Equal([0.0, 0.0], nan);
    }

    [Fact]
    public void HonoursLeadingDimensions()
    {
        // A 20x30 inside a 25-row array, B 30x9 inside a 33-row array, C 20x9 inside a 22-row array.
        int m = 20,
            n = 9,
            k = 30,
            lda = 25,
            ldb = 33,
            ldc = 22;
        var a = GemmTestData.Values(lda * k, 31);
        var b = GemmTestData.Values(ldb * n, 32);
        var c = GemmTestData.Values(ldc * n, 33);
        var before = (double[])c.Clone();
        Gemm.Multiply(false, false, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
        var (expected, scale) = GemmTestData.Reference(false, false, m, n, k, 1.0, a, lda, b, ldb, 0.0, before, ldc);
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < ldc; i++)
            {
                int at = (j * ldc) + i;
                if (i < m)
                {
                    Assert.True(Math.Abs(expected[at] - c[at]) <= 1e-12 * scale[at], $"({i},{j})");
                }
                else
                {
                    Assert.Equal(before[at], c[at]); // padding rows untouched
                }
            }
        }
    }

    [Fact]
    public void RejectsTooShortOperands()
    {
        Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1.0, new double[15], 4, new double[16], 4, 0.0, new double[16], 4)
        );
        Assert.ThrowsAny<ArgumentException>(() =>
            Gemm.Multiply(false, false, 4, 4, 4, 1.0, new double[16], 3, new double[16], 4, 0.0, new double[16], 4)
        );
    }

    public static TheoryData<bool, bool, int, int, int> LargeShapes() =>
        new()
        {
            { false, false, 300, 200, 600 },
            { false, false, 128, 100, 784 },
            { true, false, 784, 100, 128 },
            { false, true, 128, 784, 100 },
            { true, true, 65, 784, 63 },
            { false, false, 1, 784, 784 },
            { false, false, 784, 3, 300 },
            { false, true, 200, 50, 784 }, // a row split: partial last column panel, four k blocks
            { true, false, 301, 67, 700 }, // the same with a shorter last k block (234, 234, 232) and odd m
        };

    [Theory]
    [MemberData(nameof(LargeShapes))]
    public void OneAndTwoThreadsAgreeBitwise(bool ta, bool tb, int m, int n, int k)
    {
        int lda = ta ? k : m,
            ldb = tb ? n : k;
        var a = GemmTestData.Values(m * k, 41);
        var b = GemmTestData.Values(k * n, 42);
        var c0 = GemmTestData.Values(m * n, 43);
        foreach (double beta in new[] { 0.0, 0.75 })
        {
            var one = (double[])c0.Clone();
            var two = (double[])c0.Clone();
            var dflt = (double[])c0.Clone();
            Gemm.Multiply(ta, tb, m, n, k, -1.25, a, lda, b, ldb, beta, one, m, maxThreads: 1);
            Gemm.Multiply(ta, tb, m, n, k, -1.25, a, lda, b, ldb, beta, two, m, maxThreads: 2);
            Gemm.Multiply(ta, tb, m, n, k, -1.25, a, lda, b, ldb, beta, dflt, m);
            GemmTestData.AssertBitwise(one, two);
            GemmTestData.AssertBitwise(one, dflt);
        }
    }

    /// <summary>
    /// A layer's weight and input gradients computed at once, one per thread, equal the two products computed one
    /// after the other on one thread, bit for bit (below the parallel threshold both run on the caller); the work
    /// given to run alongside them runs exactly once on either path.
    /// </summary>
    [Theory]
    [InlineData(128, 100, 100)]
    [InlineData(100, 784, 50)]
    [InlineData(128, 100, 10)]
    [InlineData(7, 65, 63)]
    [InlineData(10, 64, 32)]
    [InlineData(1, 1, 1)]
    public void BothGradientProductsMatchTheProductsOneByOne(int batch, int inputs, int outputs)
    {
        var x = GemmTestData.Values(batch * inputs, 61);
        var w = GemmTestData.Values(inputs * outputs, 62);
        var dy = GemmTestData.Values(batch * outputs, 63);
        var dw = new double[inputs * outputs];
        var dx = new double[batch * inputs];
        var dwOne = new double[inputs * outputs];
        var dxOne = new double[batch * inputs];
        Gemm.Multiply(true, false, inputs, outputs, batch, 1.0, x, batch, dy, batch, 0.0, dwOne, inputs, maxThreads: 1);
        Gemm.Multiply(false, true, batch, inputs, outputs, 1.0, dy, batch, w, inputs, 0.0, dxOne, batch, maxThreads: 1);
        var alongside = 0;
        Gemm.MultiplyBoth(
            new Gemm.Product(true, false, inputs, outputs, batch, x, batch, dy, batch, dw, inputs),
            new Gemm.Product(false, true, batch, inputs, outputs, dy, batch, w, inputs, dx, batch),
            alongside: () => Interlocked.Increment(ref alongside)
        );
        GemmTestData.AssertBitwise(dwOne, dw);
        GemmTestData.AssertBitwise(dxOne, dx);
        Assert.Equal(1, alongside); // the third part (the bias gradient's sums in a training step) runs once
    }

    [Fact]
    public void BothRejectsATooShortOperand()
    {
        var ok = new double[12];
        Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyBoth(
                new Gemm.Product(false, false, 3, 4, 100, new double[3 * 100], 3, new double[100 * 4], 100, ok, 3),
                new Gemm.Product(false, false, 3, 4, 100, new double[3 * 99], 3, new double[100 * 4], 100, ok, 3)
            )
        );
    }

    /// <summary>
    /// An element's value must not depend on where it falls in a partition of C (interior or edge
    /// tile, packed or small-shape path): recomputing any block of rows or columns on its own must
    /// reproduce the full product bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(LargeShapes))]
    public void SubBlocksReproduceTheFullProductBitwise(bool ta, bool tb, int m, int n, int k)
    {
        int lda = ta ? k : m,
            ldb = tb ? n : k;
        var a = GemmTestData.Values(m * k, 51);
        var b = GemmTestData.Values(k * n, 52);
        var full = new double[m * n];
        Gemm.Multiply(ta, tb, m, n, k, 0.5, a, lda, b, ldb, 0.0, full, m, maxThreads: 1);

        foreach (var (j0, j1) in Cuts(n))
        {
            // Columns j0..j1 of C use columns j0..j1 of op(B).
            int bOffset = tb ? j0 : j0 * ldb;
            var part = new double[m * (j1 - j0)];
            Gemm.Multiply(ta, tb, m, j1 - j0, k, 0.5, a, lda, b.AsSpan(bOffset), ldb, 0.0, part, m, maxThreads: 2);
            GemmTestData.AssertBitwise(full.AsSpan(j0 * m, m * (j1 - j0)).ToArray(), part);
        }

        foreach (var (i0, i1) in Cuts(m))
        {
            // Rows i0..i1 of C use rows i0..i1 of op(A); C is written with leading dimension m.
            int aOffset = ta ? i0 * lda : i0;
            var part = new double[m * n];
            Gemm.Multiply(
                ta,
                tb,
                i1 - i0,
                n,
                k,
                0.5,
                a.AsSpan(aOffset),
                lda,
                b,
                ldb,
                0.0,
                part.AsSpan(i0),
                m,
                maxThreads: 2
            );
            for (int j = 0; j < n; j++)
            {
                for (int i = i0; i < i1; i++)
                {
                    Assert.Equal(
                        BitConverter.DoubleToInt64Bits(full[(j * m) + i]),
                        BitConverter.DoubleToInt64Bits(part[(j * m) + i])
                    );
                }
            }
        }
    }

    /// <summary>
    /// On a core with AVX-512 the packed path takes 16×8 tiles of 512-bit vectors wherever two full row panels meet
    /// two full column panels, 8×8 tiles for the rows left under them, 16×4 tiles for a last column panel (storing
    /// its 1–4 columns) and 8×4 tiles elsewhere; when the rows fit one
    /// row block (≤ 96) the wide tiles read op(B) in place instead of packed. Here the whole products take 16×8 and
    /// 8×8 tiles (partial ones where m is not a multiple of 8), with op(B) packed (m = 131) or in place (m ≤ 96); the
    /// slices 4 columns wide take only 8×4 tiles, and those 8 rows tall 8×8 tiles reading op(B) in place (and 8×4
    /// tiles for the last n mod 8 columns). The
    /// shapes are large enough that every slice still takes the packed path (m·n·k ≥ 300 000), and each must give
    /// the whole product's bits, in every k-block mode (overwrite, beta, accumulate). Without AVX-512 every side
    /// takes the 8×4 kernel.
    /// </summary>
    [Theory]
    [InlineData(false, false, 131, 37, 1100, 0.0)]
    [InlineData(true, false, 96, 24, 1600, 0.5)]
    [InlineData(false, true, 64, 40, 1200, -1.25)]
    [InlineData(true, true, 50, 32, 1600, 1.0)]
    [InlineData(false, false, 96, 30, 1200, 0.0)] // a last panel of 2 columns
    [InlineData(true, false, 48, 27, 1600, 0.25)] // of 3
    public void Wide_tiles_give_the_bits_of_the_narrow_ones(bool ta, bool tb, int m, int n, int k, double beta)
    {
        int lda = ta ? k : m,
            ldb = tb ? n : k;
        var a = GemmTestData.Values(m * k, 61);
        var b = GemmTestData.Values(k * n, 62);
        var c0 = GemmTestData.Values(m * n, 63);
        var full = (double[])c0.Clone();
        Gemm.Multiply(ta, tb, m, n, k, 0.75, a, lda, b, ldb, beta, full, m, maxThreads: 1);

        for (int j0 = 0; j0 + 4 <= n; j0 += 4)
        {
            int bOffset = tb ? j0 : j0 * ldb;
            var part = c0.AsSpan(j0 * m, m * 4).ToArray();
            Gemm.Multiply(ta, tb, m, 4, k, 0.75, a, lda, b.AsSpan(bOffset), ldb, beta, part, m, maxThreads: 1);
            GemmTestData.AssertBitwise(full.AsSpan(j0 * m, m * 4).ToArray(), part);
        }

        for (int i0 = 0; i0 + 8 <= m; i0 += 8)
        {
            int aOffset = ta ? i0 * lda : i0;
            var part = (double[])c0.Clone();
            Gemm.Multiply(
                ta,
                tb,
                8,
                n,
                k,
                0.75,
                a.AsSpan(aOffset),
                lda,
                b,
                ldb,
                beta,
                part.AsSpan(i0),
                m,
                maxThreads: 1
            );
            for (int j = 0; j < n; j++)
                GemmTestData.AssertBitwise(
                    full.AsSpan((j * m) + i0, 8).ToArray(),
                    part.AsSpan((j * m) + i0, 8).ToArray()
                );
        }
    }

    private static IEnumerable<(int, int)> Cuts(int extent)
    {
        // Odd offsets and widths so that tiles straddle the original tile boundaries.
        yield return (0, 1);
        yield return (extent - 1, extent);
        if (extent > 10)
        {
            yield return (3, Math.Min(extent, 10));
            yield return (extent / 3, extent - 5);
        }
    }

    [Fact]
    public void RepeatedCallsAreBitwiseStable()
    {
        int m = 200,
            n = 150,
            k = 400;
        var a = GemmTestData.Values(m * k, 61);
        var b = GemmTestData.Values(k * n, 62);
        var first = new double[m * n];
        Gemm.Multiply(false, false, m, n, k, 1.0, a, m, b, k, 0.0, first, m);
        for (int r = 0; r < 5; r++)
        {
            var again = new double[m * n];
            Gemm.Multiply(false, false, m, n, k, 1.0, a, m, b, k, 0.0, again, m, maxThreads: 1 + (r % 2));
            GemmTestData.AssertBitwise(first, again);
        }
    }
}
