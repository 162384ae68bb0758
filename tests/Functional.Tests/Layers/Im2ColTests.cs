using Functional.Layers;
using Xunit;

namespace Functional.Tests.Layers;

/// <summary>The rows of col made from the images (Im2Col.ImageRows, the listed weight gradient's operand) against
/// col itself (Im2Col.Pack), with padding and stride; an image holding a NaN or an infinity hands the product back.</summary>
public sealed class Im2ColTests
{
    static double[] Images(int length)
    {
        var x = new double[length];
        for (var i = 0; i < length; i++)
            x[i] = Math.Sin(i * 0.37) - 0.1;
        x[5] = -0.0;
        return x;
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void Image_rows_are_the_rows_of_col(int stride, int pad)
    {
        var win = new Window2D(3, 3, stride, pad);
        var (n, c, h, w) = (6, 2, 9, 8);
        var oh = (h + 2 * pad - 3) / stride + 1;
        var ow = (w + 2 * pad - 3) / stride + 1;
        var g = new Im2Col.Geometry(n, c, h, w, win, oh, ow);
        var x = Images(n * c * h * w);
        var col = new double[g.Rows * g.Taps];
        Im2Col.Pack(x, g, col);
        const int lanes = 32;
        var source = new Im2Col.ImageRows(x, g);
        for (var p0 = 0; p0 < g.Rows; p0 += 37)
        {
            var kc = Math.Min(37, g.Rows - p0);
            var rows = new double[kc * lanes];
            Assert.True(source.Rows(p0, kc, g.Taps, lanes, rows));
            for (var p = 0; p < kc; p++)
            for (var t = 0; t < g.Taps; t++)
                Assert.Equal(
                    BitConverter.DoubleToInt64Bits(col[t * g.Rows + p0 + p]),
                    BitConverter.DoubleToInt64Bits(rows[p * lanes + t])
                );
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void An_image_that_is_not_finite_hands_the_product_back(double bad)
    {
        var g = new Im2Col.Geometry(4, 1, 6, 6, new Window2D(3, 3, 1, 0), 4, 4);
        var x = Images(4 * 36);
        x[4 * 20 + 1] = bad;
        Assert.False(new Im2Col.ImageRows(x, g).Rows(0, 16, 9, 32, new double[16 * 32]));
    }
}
