using Functional.Kernels;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>act(A·B + bias) with A's columns read in place (Gemm.MultiplyShifted) against the GEMM with a tile bias on
/// the copied A: bitwise, at shapes with row and column tails, with −0, NaN and ∞ in A, in the Vector512 tiles (where
/// the core has AVX-512) and the Vector256 ones; shapes the GEMM would not pack are handed back untouched; bad offsets
/// are refused.</summary>
public sealed class ShiftedProductTests
{
    sealed class BiasEpilogue(double[] c, int ld, double[] bias, bool relu) : Gemm.Epilogue
    {
        public override double[]? TileBias => bias;

        public override bool TileRelu => relu;

        public override void Apply(int i0, int i1, int j0, int j1)
        {
            for (var j = j0; j < j1; j++)
            for (var i = i0; i < i1; i++)
            {
                var v = c[j * ld + i] + bias[j];
                c[j * ld + i] = relu ? (v > 0 ? v : 0.0) : v;
            }
        }
    }

    static (double[] Src, int[] Offsets, double[] B, double[] Bias) Operands(int m, int n, int k, ulong seed)
    {
        var src = GemmTestData.Values(m + 7 * k + 40, seed);
        src[3] = -0.0;
        src[m / 2] = double.NaN;
        src[m + 5] = double.PositiveInfinity;
        var u = GemmTestData.Values(k, seed + 1);
        var offsets = u.Select(v => (int)((v + 1) / 2 * (src.Length - m))).ToArray();
        var b = GemmTestData.Values(k * n, seed + 2);
        var bias = GemmTestData.Values(n, seed + 3);
        bias[0] = -0.0;
        return (src, offsets, b, bias);
    }

    static bool HasFma =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported && System.Runtime.Intrinsics.X86.Avx2.IsSupported;

    [Theory]
    [InlineData(2400, 30, 25, true, false)]
    [InlineData(2400, 30, 25, true, true)]
    [InlineData(2417, 30, 25, true, false)]
    [InlineData(2417, 30, 25, true, true)]
    [InlineData(2417, 30, 25, false, false)]
    [InlineData(2419, 30, 25, false, true)]
    [InlineData(2403, 5, 25, true, false)]
    [InlineData(2403, 5, 25, true, true)]
    [InlineData(2406, 7, 25, true, true)]
    [InlineData(1000, 13, 256, true, false)]
    [InlineData(1001, 13, 256, true, true)]
    [InlineData(1990, 16, 100, false, false)]
    [InlineData(1990, 16, 100, false, true)]
    public void Equals_the_GEMM_with_a_tile_bias_bitwise(int m, int n, int k, bool relu, bool narrow)
    {
        Assert.True(Gemm.MultipliesShifted(m, n, k) || !HasFma);
        var (src, offsets, b, bias) = Operands(m, n, k, (ulong)(m + n + k));
        var a = new double[m * k];
        for (var p = 0; p < k; p++)
            Array.Copy(src, offsets[p], a, p * m, m);
        var dense = new double[m * n];
        Gemm.Multiply(
            new Gemm.Product(false, false, m, n, k, a, m, b, k, dense, m),
            new BiasEpilogue(dense, m, bias, relu),
            maxThreads: 1
        );
        var bt = new double[k * n];
        for (var p = 0; p < k; p++)
        for (var j = 0; j < n; j++)
            bt[p * n + j] = b[j * k + p];
        var shifted = new double[m * n];
        if (!Gemm.MultiplyShifted(m, n, k, src, offsets, bt, n, bias, relu, shifted, m, narrow))
        {
            Assert.False(HasFma);
            return;
        }
        Assert.Equal(dense.Select(BitConverter.DoubleToInt64Bits), shifted.Select(BitConverter.DoubleToInt64Bits));
        if (!relu)
            Assert.Contains(shifted, double.IsNaN);
    }

    [Theory]
    [InlineData(2400, 3, 25)] // fewer columns than a panel
    [InlineData(200, 30, 25)] // small enough for the GEMM's direct path
    [InlineData(2400, 30, 257)] // more than one k block
    public void Hands_back_what_the_GEMM_would_do_otherwise_with_C_untouched(int m, int n, int k)
    {
        Assert.False(Gemm.MultipliesShifted(m, n, k));
        var (src, offsets, b, bias) = Operands(m, n, k, 5);
        var c = Enumerable.Repeat(7.0, m * n).ToArray();
        Assert.False(Gemm.MultiplyShifted(m, n, k, src, offsets, b, n, bias, true, c, m));
        Assert.All(c, v => Assert.Equal(7.0, v));
    }

    [Fact]
    public void Refuses_a_column_outside_its_array_and_short_operands_with_what_is_wrong()
    {
        if (!Gemm.MultipliesShifted(2400, 30, 25))
            return; // nothing computed here: the caller packs A
        var (src, offsets, b, bias) = Operands(2400, 30, 25, 9);
        var c = new double[2400 * 30];
        offsets[4] = src.Length - 2399;
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyShifted(2400, 30, 25, src, offsets, b, 30, bias, true, c, 2400)
        );
        Assert.Contains("column 4 of A", e.Message);
        offsets[4] = 0;
        e = Assert.Throws<ArgumentException>(() =>
            Gemm.MultiplyShifted(2400, 30, 25, src, offsets, b, 30, bias[..29], true, c, 2400)
        );
        Assert.Contains("29 biases", e.Message);
    }
}
