using Functional.Core;
using Functional.Layers;
using MathNet.Numerics.LinearAlgebra;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Layers;

public class LayerTests
{
    [Fact]
    public void Affine_golden_2x3_worked_by_hand()
    {
        // x = [[1,2],[3,4]], W = [[1,0,-1],[2,1,0]], b = [0.5,0,-0.5]
        // y row 0 = [1+4, 2, -1] + b = [5.5, 2, -1.5]; row 1 = [3+8, 4, -3] + b = [11.5, 4, -3.5]
        var p = new Affine.P(
            Mat.FromRows([
                [1, 0, -1],
                [2, 1, 0],
            ]),
            Mat.Row(0.5, 0, -0.5)
        );
        var (y, cache) = Affine.Forward(
            p,
            Mat.FromRows([
                [1, 2],
                [3, 4],
            ])
        );
        Assert.Equal(
            Mat.FromRows([
                [5.5, 2, -1.5],
                [11.5, 4, -3.5],
            ]),
            y
        );
        // dY = ones: dX = dY·Wᵀ = row sums of W = [0, 3]; dW = Xᵀ·1 = column sums of x repeated; db = [2,2,2]
        var (dx, g) = Affine.Backward(p, cache, Mat.Filled(2, 3, 1));
        Assert.Equal(
            Mat.FromRows([
                [0, 3],
                [0, 3],
            ]),
            dx
        );
        Assert.Equal(
            Mat.FromRows([
                [4, 4, 4],
                [6, 6, 6],
            ]),
            g.DW
        );
        Assert.Equal(Mat.Row(2, 2, 2), g.DB);
    }

    [Fact]
    public void Affine_accepts_a_single_sample_as_a_batch_of_one()
    {
        var p = new Affine.P(Normal(1, 3, 2), Mat.Row(1, -1));
        var (y, _) = Affine.Forward(p, [1.0, 2.0, 3.0]);
        var (yb, _) = Affine.Forward(
            p,
            Mat.FromRows([
                [1.0, 2.0, 3.0],
            ])
        );
        Assert.Equal(1, y.RowCount);
        Assert.Equal(yb, y);
    }

    [Fact]
    public void Affine_shape_error_names_layer_expected_and_actual()
    {
        var net = Functional.Models.Nets.DigitsBatchNorm();
        var ps = net.Init(Key.Of(1));
        var ex = Assert.Throws<ArgumentException>(() => net.Forward(ps, net.InitState(), Normal(2, 5, 63), Ctx.Eval));
        Assert.Contains("layer 0", ex.Message);
        Assert.Contains("64", ex.Message);
        Assert.Contains("5×63", ex.Message);
    }

    [Fact]
    public void BatchNorm_training_mode_standardises_the_books_arange_example()
    {
        // x = arange(15).reshape(3, 5)
        var x = Tensor.Generate(3, 5, (i, j) => i * 5 + j);
        var bn = new BatchNorm(5, BatchNormConfig.Dlfs);
        var (y, stats, _) = BatchNorm.Forward(bn, bn.InitParams(), bn.InitStats(), x, Mode.Train);
        for (var j = 0; j < 5; j++)
        {
            var col = y.Column(j);
            Assert.Equal(0.0, col.Average(), 6);
            Assert.Equal(1.0, Math.Sqrt(col.Average(v => v * v)), 6);
        }
        // running mean = 0.9·0 + 0.1·[5,6,7,8,9]; running var = 0.1·(50/3)
        Assert.Equal(0.5, stats.RunningMean[0, 0], 12);
        Assert.Equal(0.1 * 50.0 / 3.0, stats.RunningVar[0, 4], 12);
    }

    [Fact]
    public void BatchNorm_eval_mode_uses_running_statistics_and_returns_them_unchanged()
    {
        var bn = new BatchNorm(2, BatchNormConfig.Reference);
        var stats = new BatchNormStats(Mat.Row(1, 2), Mat.Row(4, 9));
        var x = Mat.FromRows([
            [3, 2],
            [1, 8],
        ]);
        var (y1, s1, _) = BatchNorm.Forward(bn, bn.InitParams(), stats, x, Mode.Eval);
        var (y2, _, _) = BatchNorm.Forward(bn, bn.InitParams(), stats, x, Mode.Eval);
        Assert.Same(stats, s1);
        Assert.True(Mat.BitwiseEqual(y1, y2));
        Assert.Equal(2 / Math.Sqrt(4 + 1e-5), y1[0, 0], 15);
        Assert.Equal(6 / Math.Sqrt(9 + 1e-5), y1[1, 1], 15);
    }

    [Fact]
    public void BatchNorm_with_a_batch_of_one_in_training_mode_is_a_clear_error_not_NaN()
    {
        var bn = new BatchNorm(3, BatchNormConfig.Reference);
        var ex = Assert.Throws<ArgumentException>(() =>
            BatchNorm.Forward(bn, bn.InitParams(), bn.InitStats(), Mat.Row(1, 2, 3), Mode.Train)
        );
        Assert.Contains("more than one sample", ex.Message);
    }

    [Fact]
    public void BatchNorm_with_zero_variance_stays_finite()
    {
        var bn = new BatchNorm(2, BatchNormConfig.Reference);
        var x = Mat.FromRows([
            [5, 1],
            [5, 1],
            [5, 1],
        ]);
        var (y, stats, cache) = BatchNorm.Forward(bn, bn.InitParams(), bn.InitStats(), x, Mode.Train);
        var (dx, g) = BatchNorm.Backward(bn.InitParams(), cache, Normal(3, 3, 2));
        Assert.True(
            y.Enumerate()
                .Concat(dx.Enumerate())
                .Concat(g.DGamma.Enumerate())
                .Concat(stats.RunningVar.Enumerate())
                .All(double.IsFinite)
        );
    }

    [Fact]
    public void BatchNorm_matches_Flux_golden_values()
    {
        // Flux test/layers/normalisation.jl, transposed to samples × features: x = [[1,2],[3,4],[5,6]]
        var x = Mat.FromRows([
            [1, 2],
            [3, 4],
            [5, 6],
        ]);
        var bn = new BatchNorm(2, BatchNormConfig.Flux);
        var (y, stats, _) = BatchNorm.Forward(bn, bn.InitParams(), bn.InitStats(), x, Mode.Train);
        // column [1,3,5]: mean 3, biased var 8/3 → y = ±2/√(8/3+1e-5) ≈ ±1.22474
        Assert.Equal(-1.2247, y[0, 0], 4);
        Assert.Equal(0.0, y[1, 0], 12);
        Assert.Equal(1.2247, y[2, 1], 4);
        // running mean = 0.1·[3,4] = [0.3,0.4]; running var = 0.9·1 + 0.1·4 (unbiased) = 1.3
        Assert.Equal(0.3, stats.RunningMean[0, 0], 12);
        Assert.Equal(0.4, stats.RunningMean[0, 1], 12);
        Assert.Equal(1.3, stats.RunningVar[0, 0], 12);
        var (ye, _, _) = BatchNorm.Forward(bn, bn.InitParams(), stats, x, Mode.Eval);
        Assert.Equal((1 - 0.3) / Math.Sqrt(1.3 + 1e-5), ye[0, 0], 12);
    }

    [Fact]
    public void Dropout_masks_from_the_key_in_training_and_scales_in_evaluation()
    {
        var d = new Dropout(0.5);
        var x = Mat.Filled(40, 50, 2.0);
        var (y1, _) = Dropout.Forward(d, x, Ctx.Train(Key.Of(1)), Key.Of(1));
        var (y2, _) = Dropout.Forward(d, x, Ctx.Train(Key.Of(1)), Key.Of(1));
        var (y3, _) = Dropout.Forward(d, x, Ctx.Train(Key.Of(1)), Key.Of(2));
        Assert.True(Mat.BitwiseEqual(y1, y2));
        Assert.False(Mat.BitwiseEqual(y1, y3));
        Assert.InRange(y1.Enumerate().Count(v => v == 0) / 2000.0, 0.45, 0.55);
        var (ye, _) = Dropout.Forward(d, x, Ctx.Eval, default);
        Assert.True(ye.Enumerate().All(v => v == 1.0));
    }

    [Fact]
    public void Dropout_in_training_mode_without_a_key_is_an_error()
    {
        var net = Functional.Models.Nets.MultiLayerNetExtend(4, [3], 2, dropout: 0.5);
        var ps = net.Init(Key.Of(1));
        var ex = Assert.Throws<ArgumentException>(() =>
            net.Forward(ps, net.InitState(), Normal(1, 2, 4), Ctx.TrainNoKey)
        );
        Assert.Contains("Dropout", ex.Message);
        Assert.Contains("key", ex.Message);
    }

    [Fact]
    public void Apple_shopping_graph_forward_and_backward()
    {
        // apple 100 yen × 2, tax 1.1
        var applePrice = Multiply.Forward(100, 2);
        var price = Multiply.Forward(applePrice, 1.1);
        Assert.Equal(220, price, 10);
        var (dApplePrice, dTax) = Multiply.Backward(applePrice, 1.1, 1);
        var (dApple, dNum) = Multiply.Backward(100, 2, dApplePrice);
        Assert.Equal(2.2, dApple, 12);
        Assert.Equal(110, dNum, 12);
        Assert.Equal(200, dTax, 12);
        // with oranges: 100×2 + 150×3, × 1.1 = 715
        var all = Add.Forward(Multiply.Forward(100, 2), Multiply.Forward(150, 3));
        Assert.Equal(715, Multiply.Forward(all, 1.1), 10);
        Assert.Equal((1.1, 1.1), Add.Backward(1.1));
    }
}
