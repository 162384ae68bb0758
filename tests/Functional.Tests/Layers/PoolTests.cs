using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Xunit;
using static Functional.Tests.Support.TestData;
using Back = Functional.Models.StagePlan.Back;

namespace Functional.Tests.Layers;

/// <summary>The pooling layers against nested loops over (n, c, h, w), and their handling of ties and padding.</summary>
public class PoolTests
{
    static LayerParams P => new(Params.Empty, 0);
    static LayerState S => new(ModelState.Empty, 0);

    static double At(Tensor x, int n, int c, int h, int w)
    {
        var d = x.Dims;
        return x.Span[n + d[0] * ((c * d[2] + h) * d[3] + w)];
    }

    [Theory]
    [InlineData(2, 2, 2, 0)]
    [InlineData(3, 3, 2, 1)]
    [InlineData(3, 2, 1, 1)]
    [InlineData(2, 2, 2, 0, 8, 6)] // windows that tile the image: the one-pass gradient
    [InlineData(3, 3, 3, 0, 6, 9)]
    public void Max_and_average_equal_the_nested_loops_bitwise(int kh, int kw, int s, int p, int H = 7, int W = 6)
    {
        const int N = 5,
            C = 3;
        var x = Normal(1, N, C * H * W).Reshape(N, C, H, W);
        var max = new MaxPool2D(kh, kw, s, p);
        var avg = new AvgPool2D(kh, kw, s, p);
        var ym = max.Forward(P, S, x, Ctx.Eval);
        var ya = avg.Forward(P, S, x, Ctx.Eval);
        int oh = (H + 2 * p - kh) / s + 1,
            ow = (W + 2 * p - kw) / s + 1;
        Assert.Equal([N, C, oh, ow], ym.Y.Dims.ToArray());
        var dy = Normal(2, N, C * oh * ow).With(0, 0, -0.0);
        var dxm = new double[N * C * H * W];
        var dxa = new double[N * C * H * W];
        for (var c = 0; c < C; c++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        for (var n = 0; n < N; n++)
        {
            var o = n + N * ((c * oh + i) * ow + j);
            double best = double.NegativeInfinity,
                sum = 0.0;
            var at = -1;
            for (var a = 0; a < kh; a++)
            for (var b = 0; b < kw; b++)
            {
                int h = i * s - p + a,
                    w = j * s - p + b;
                if (h < 0 || h >= H || w < 0 || w >= W)
                    continue;
                var v = At(x, n, c, h, w);
                sum += v;
                if (v > best)
                    (best, at) = (v, n + N * ((c * H + h) * W + w));
            }
            Assert.Equal(BitConverter.DoubleToInt64Bits(best), BitConverter.DoubleToInt64Bits(ym.Y.Span[o]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(sum / (kh * kw)), BitConverter.DoubleToInt64Bits(ya.Y.Span[o]));
            dxm[at] += dy.Span[o];
            var share = dy.Span[o] / (kh * kw);
            for (var a = 0; a < kh; a++)
            for (var b = 0; b < kw; b++)
            {
                int h = i * s - p + a,
                    w = j * s - p + b;
                if (h >= 0 && h < H && w >= 0 && w < W)
                    dxa[n + N * ((c * H + h) * W + w)] += share;
            }
        }
        static long[] Bits(IEnumerable<double> v) => [.. v.Select(BitConverter.DoubleToInt64Bits)];
        Assert.Equal(Bits(dxm), Bits(max.Backward(P, ym.Cache, dy).Dx.ToArray()));
        Assert.Equal(Bits(dxa), Bits(avg.Backward(P, ya.Cache, dy).Dx.ToArray()));
    }

    /// <summary>
    /// After a ReLU the pool's backward applies the ReLU's (the plan fuses them): the bits of the ReLU's own backward
    /// after the pool's, with zeros, signed zeros and a NaN in the gradient, and windows that overlap (stride 1),
    /// where a position gathers several outputs' gradients before the mask.
    /// </summary>
    [Theory]
    [InlineData(2, 2, 2, 0)]
    [InlineData(3, 3, 2, 1)]
    [InlineData(3, 2, 1, 1)]
    [InlineData(2, 2, 2, 0, 8, 6)]
    [InlineData(3, 3, 3, 0, 6, 9)]
    public void After_a_relu_the_fused_backward_equals_the_relu_backward_after_the_pool_bitwise(
        int kh,
        int kw,
        int s,
        int p,
        int H = 7,
        int W = 6
    )
    {
        const int N = 6,
            C = 3;
        var relu = new Relu();
        var r = relu.Forward(P, S, Normal(3, N, C * H * W).Reshape(N, C, H, W), Ctx.Eval);
        Pool2D[] pools = [new MaxPool2D(kh, kw, s, p), new AvgPool2D(kh, kw, s, p)];
        foreach (var pool in pools)
        {
            var f = pool.Forward(P, S, r.Y.Reshape(N, C, H, W), Ctx.Eval);
            var dy = Normal(4, f.Y.RowCount, f.Y.ColumnCount).With(0, 0, -0.0).With(1, 2, double.NaN).With(2, 1, 0.0);
            var apart = relu.Backward(P, r.Cache, pool.Backward(P, f.Cache, dy).Dx).Dx;
            var sink = new GradSink([]);
            var fused = ((IFusingLayer)pool).BackwardFused(P, f.Cache, dy, r.Cache, StepBuffers.None, ref sink);
            AssertBitwise(apart, fused, pool.Describe());
            Assert.Contains(apart.ToArray(), v => v == 0.0);
        }
    }

    [Fact]
    public void A_pool_after_a_relu_takes_its_backward_in_the_plan()
    {
        var net = Nets.SimpleConvNet(SampleShape.Image(1, 8, 8), filters: 4, kernel: 3, hidden: 16);
        // In a training step the first convolution takes its output gradient from the pool's listed maxima; with
        // the input gradient wanted (Backward), the dense path.
        Assert.Equal(
            [Back.FromListed, Back.Skip, Back.ListsForBefore, Back.Own, Back.Own, Back.Skip, Back.FusedWithPrevious],
            net.Plan.WithoutInput
        );
        Assert.Equal(
            [Back.Own, Back.Skip, Back.FusedWithPrevious, Back.Own, Back.Own, Back.Skip, Back.FusedWithPrevious],
            net.Plan.WithInput
        );
        // Windows that do not tile the image (7×7 conv output, 2×2 windows): no listing.
        var odd = Nets.SimpleConvNet(SampleShape.Image(1, 9, 9), filters: 4, kernel: 3, hidden: 16);
        Assert.Equal(Back.FusedWithPrevious, odd.Plan.WithoutInput[2]);
    }

    [Theory]
    [InlineData(2, 8, 6, 5)]
    [InlineData(3, 6, 9, 7)] // 3×3 windows; samples not a multiple of four (the scalar tail)
    [InlineData(2, 4, 4, 2)]
    public void The_listed_gradient_is_the_fused_dense_gradient_bitwise(int k, int H, int W, int N)
    {
        const int C = 3;
        var relu = new Relu();
        var r = relu.Forward(P, S, Normal(3, N, C * H * W).Reshape(N, C, H, W), Ctx.Eval);
        var pool = new MaxPool2D(k, k, k, 0);
        var f = pool.Forward(P, S, r.Y.Reshape(N, C, H, W), Ctx.Eval);
        var dy = Normal(4, f.Y.RowCount, f.Y.ColumnCount).With(0, 0, -0.0).With(1, 2, double.NaN);
        var sink = new GradSink([]);
        var dense = ((IFusingLayer)pool).BackwardFused(P, f.Cache, dy, r.Cache, StepBuffers.None, ref sink).ToArray();
        var listed = pool.SparseGradient(0, f.Cache, dy, null);
        Assert.Equal((C, N * (H / k) * (W / k)), (listed.Columns, listed.Count));
        var rebuilt = new double[dense.Length];
        var plane = N * H * W;
        for (var c = 0; c < C; c++)
        {
            var rows = listed.Rows.AsSpan(c * listed.Stride, listed.Count).ToArray();
            Assert.Equal(rows.OrderBy(v => v).Distinct(), rows); // strictly increasing
            for (var t = 0; t < listed.Count; t++)
                rebuilt[c * plane + (int)rows[t]] = listed.Values[c * listed.Stride + t];
        }
        Assert.Equal(dense.Select(BitConverter.DoubleToInt64Bits), rebuilt.Select(BitConverter.DoubleToInt64Bits));
        Assert.Contains(dense, double.IsNaN);
    }

    [Fact]
    public void Max_pooling_sends_the_gradient_of_a_tie_to_the_first_maximum_in_row_major_order()
    {
        // One 1×3×3 image of equal values but for a smaller corner; 2×2 windows, stride 1.
        var x = Tensor.FromColumnMajor(1, 9, [0, 5, 5, 5, 5, 5, 5, 5, 5]).Reshape(1, 1, 3, 3);
        var pool = new MaxPool2D(2, 2, 1, 0);
        var y = pool.Forward(P, S, x, Ctx.Eval);
        Assert.Equal([5.0, 5, 5, 5], y.Y.ToArray());
        var dx = pool.Backward(P, y.Cache, Tensor.FromColumnMajor(1, 4, [1, 10, 100, 1000])).Dx;
        // Windows (0,0): first 5 at (0,1); (0,1): (0,1); (1,0): (1,0); (1,1): (1,1).
        Assert.Equal([0.0, 11, 0, 100, 1000, 0, 0, 0, 0], dx.ToArray());
    }

    [Fact]
    public void Padded_positions_are_never_the_maximum()
    {
        var x = Tensor.FromColumnMajor(1, 4, [-1, -2, -3, -4]).Reshape(1, 1, 2, 2);
        var y = new MaxPool2D(2, 2, 2, 1).Forward(P, S, x, Ctx.Eval).Y;
        Assert.Equal([-1.0, -2, -3, -4], y.ToArray());
    }

    [Fact]
    public void Shape_errors_name_the_layer_and_the_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new MaxPool2D(2, 2, 2, 0).OutputShape(SampleShape.Features(64)));
        Assert.Contains("MaxPool2D(2×2, stride 2, pad 0)", e.Message);
        Assert.Contains("64 features", e.Message);
        var pad = Assert.Throws<ArgumentException>(() =>
            new AvgPool2D(2, 2, 2, 2).OutputShape(SampleShape.Image(1, 8, 8))
        );
        Assert.Contains("pad 2 is more than half", pad.Message);
        var flat = Assert.Throws<ArgumentException>(() =>
            new AvgPool2D(2, 2, 2, 0).Forward(P, S, Normal(1, 3, 16), Ctx.Eval)
        );
        Assert.Contains("3×16", flat.Message);
    }

    [Fact]
    public void Flatten_is_a_view_both_ways()
    {
        var x = Normal(3, 4, 2 * 3 * 3).Reshape(4, 2, 3, 3);
        var f = new Flatten();
        var y = f.Forward(P, S, x, Ctx.Eval);
        Assert.Equal([4, 18], y.Y.Dims.ToArray());
        Assert.Equal(x.ToArray(), y.Y.ToArray());
        Assert.Equal(SampleShape.Features(18), f.OutputShape(SampleShape.Image(2, 3, 3)));
        var dx = f.Backward(P, y.Cache, y.Y).Dx;
        Assert.Equal([4, 2, 3, 3], dx.Dims.ToArray());
    }
}
