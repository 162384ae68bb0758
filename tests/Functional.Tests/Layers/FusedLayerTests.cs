using Functional.Core;
using Functional.Layers;
using Xunit;
using static Functional.Tests.Support.TestData;
using R = Functional.Tests.Support.Reference;

namespace Functional.Tests.Layers;

/// <summary>
/// The one-pass layer kernels against the reference formulation with MathNet operators (Support/Reference.cs):
/// the same bits, for shapes that exercise vector bodies and scalar tails.
/// </summary>
public class FusedLayerTests
{
    public static TheoryData<int, int> Shapes =>
        new()
        {
            { 1, 1 },
            { 2, 3 },
            { 3, 7 },
            { 10, 32 },
            { 20, 10 },
            { 128, 100 },
            { 7, 5 },
        };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Affine_forward_and_backward_match_the_MathNet_operators_bitwise(int n, int outputs)
    {
        var x = Normal(1, n, 13);
        var w = Normal(2, 13, outputs, 0.3);
        var b = Normal(3, 1, outputs);
        var dy = Normal(4, n, outputs);
        var p = new Affine.P(w, b);
        var (y, c) = Affine.Forward(p, x);
        var (dx, g) = Affine.Backward(p, c, dy);
        var (rdx, rdw, rdb) = R.AffineBackward(w, x, dy);
        AssertBitwise(R.AffineForward(w, b, x), y, "Affine y");
        AssertBitwise(rdx, dx, "Affine dX");
        AssertBitwise(rdw, g.DW, "Affine dW");
        AssertBitwise(rdb, g.DB, "Affine db");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Affine_with_a_fused_activation_equals_the_two_layers_apart(int n, int outputs)
    {
        var x = Normal(5, n, 9);
        var w = Normal(6, 9, outputs);
        var b = Normal(7, 1, outputs);
        var z = R.AffineForward(w, b, x);
        AssertBitwise(R.Relu(z), Affine.Linear(w, b, x, FusedActivation.Relu), "relu(xW+b)");
        AssertBitwise(R.Sigmoid(z), Affine.Linear(w, b, x, FusedActivation.Sigmoid), "sigmoid(xW+b)");
        AssertBitwise(R.Tanh(z), Affine.Linear(w, b, x, FusedActivation.Tanh), "tanh(xW+b)");
    }

    /// <summary>
    /// Shapes large enough for the packed kernel, which adds the bias (and the ReLU) to each register tile as it
    /// stores it: rows cut between the threads with a 4-row edge and k over one block (100×784→50), edge tiles in
    /// both directions (61×517→33), one k block (128×100→100) and columns cut (20×300→203). A NaN input row must
    /// come out 0 after the ReLU and NaN without it, as the layers apart give.
    /// </summary>
    [Theory]
    [InlineData(100, 784, 50)]
    [InlineData(61, 517, 33)]
    [InlineData(128, 100, 100)]
    [InlineData(20, 300, 203)]
    public void Affine_with_a_fused_activation_equals_the_two_layers_apart_on_the_packed_path(
        int n,
        int inputs,
        int outputs
    )
    {
        var x = Normal(8, n, inputs).With(3, 5, double.NaN);
        var w = Normal(9, inputs, outputs, 0.1);
        var b = Normal(10, 1, outputs);
        var z = R.AffineForward(w, b, x);
        AssertBitwise(z, Affine.Linear(w, b, x, FusedActivation.None), "xW+b");
        AssertBitwise(R.Relu(z), Affine.Linear(w, b, x, FusedActivation.Relu), "relu(xW+b)");
        AssertBitwise(R.Sigmoid(z), Affine.Linear(w, b, x, FusedActivation.Sigmoid), "sigmoid(xW+b)");
        Assert.True(double.IsNaN(z[3, 0]));
        Assert.Equal(0.0, Affine.Linear(w, b, x, FusedActivation.Relu)[3, 0]);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Activations_match_the_Map_formulation_bitwise(int n, int f)
    {
        var x = Normal(8, n, f);
        var dy = Normal(9, n, f);
        var (yr, cr) = new Relu().Forward(x);
        var (ys, cs) = new Sigmoid().Forward(x);
        var (yt, ct) = new Tanh().Forward(x);
        AssertBitwise(R.Relu(x), yr, "relu");
        AssertBitwise(R.ReluBackward(yr, dy), new Relu().Backward(cr, dy), "relu backward");
        AssertBitwise(R.Sigmoid(x), ys, "sigmoid");
        AssertBitwise(R.SigmoidBackward(ys, dy), new Sigmoid().Backward(cs, dy), "sigmoid backward");
        AssertBitwise(R.Tanh(x), yt, "tanh");
        AssertBitwise(R.TanhBackward(yt, dy), new Tanh().Backward(ct, dy), "tanh backward");
    }

    [Fact]
    public void Relu_keeps_the_reference_treatment_of_signed_zeros_and_NaN()
    {
        var x = Mat.Row(-0.0, 0.0, double.NaN, -1, 2, double.PositiveInfinity, double.NegativeInfinity, 3, -0.0);
        var dy = Mat.Row(-1, -2, 3, double.NaN, 5, -6, 7, double.NegativeInfinity, 1);
        var (y, c) = new Relu().Forward(x);
        AssertBitwise(R.Relu(x), y, "relu");
        AssertBitwise(R.ReluBackward(y, dy), new Relu().Backward(c, dy), "relu backward");
    }

    public static TheoryData<int, int, bool> BatchNormCases =>
        new()
        {
            { 2, 3, false },
            { 10, 32, false },
            { 20, 10, true },
            { 7, 5, true },
            { 128, 100, false },
        };

    [Theory]
    [MemberData(nameof(BatchNormCases))]
    public void BatchNorm_train_and_eval_match_the_reference_bitwise(int n, int f, bool flux)
    {
        var cfg = flux ? BatchNormConfig.Flux : BatchNormConfig.Reference;
        var spec = new BatchNorm(f, cfg);
        var x = Normal(10, n, f, 3.0) + 1.5;
        var dy = Normal(11, n, f);
        var p = new BatchNorm.P(Normal(12, 1, f), Normal(13, 1, f));
        var stats = new BatchNormStats(Normal(14, 1, f), Normal(15, 1, f).PointwiseAbs());
        foreach (var mode in new[] { Mode.Train, Mode.Eval })
        {
            var (y, s, c) = BatchNorm.Forward(spec, p, stats, x, mode);
            var (ry, rs, rc) = R.BatchNormForward(cfg, p.Gamma, p.Beta, stats, x, mode);
            AssertBitwise(ry, y, $"{mode} y");
            AssertBitwise(rs.RunningMean, s.RunningMean, $"{mode} running mean");
            AssertBitwise(rs.RunningVar, s.RunningVar, $"{mode} running var");
            AssertBitwise(rc.Xc, c.Xc, $"{mode} xc");
            AssertBitwise(rc.Xn, c.Xn, $"{mode} xn");
            AssertBitwise(rc.Std, c.Std, $"{mode} std");
            var (dx, g) = BatchNorm.Backward(p, c, dy);
            var (rdx, rdg, rdb) = R.BatchNormBackward(p.Gamma, rc, dy);
            AssertBitwise(rdx, dx, $"{mode} dX");
            AssertBitwise(rdg, g.DGamma, $"{mode} dγ");
            AssertBitwise(rdb, g.DBeta, $"{mode} dβ");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fused_softmax_cross_entropy_equals_forward_then_backward(int n, int classes)
    {
        var scores = Normal(16, n, classes, 4.0);
        var t = OneHot(17, n, classes);
        var loss = new SoftmaxWithLoss();
        var (l, dScores) = loss.LossAndGradient(scores, t);
        var (rl, rd) = R.SoftmaxCrossEntropy(scores, t);
        Assert.Equal(BitConverter.DoubleToInt64Bits(rl), BitConverter.DoubleToInt64Bits(l));
        AssertBitwise(rd, dScores, "dScores");
        var (fl, cache) = loss.Forward(scores, t);
        Assert.Equal(BitConverter.DoubleToInt64Bits(fl), BitConverter.DoubleToInt64Bits(l));
        AssertBitwise(loss.Backward(cache), dScores, "Backward(cache)");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fused_mean_squared_error_equals_forward_then_backward(int n, int outputs)
    {
        var y = Normal(18, n, outputs);
        var t = Normal(19, n, outputs);
        var (l, d) = new MeanSquaredError().LossAndGradient(y, t);
        var (rl, rd) = R.MeanSquaredError(y, t);
        Assert.Equal(BitConverter.DoubleToInt64Bits(rl), BitConverter.DoubleToInt64Bits(l));
        AssertBitwise(rd, d, "dScores");
    }

    [Fact]
    public void Dropout_mask_and_gradient_match_the_sampled_reference()
    {
        var x = Normal(20, 9, 6);
        var dy = Normal(21, 9, 6);
        var key = Key.Of(3);
        var spec = new Dropout(0.3);
        var (y, c) = Dropout.Forward(spec, x, Ctx.Train(key), key);
        var mask = Sampling.Uniform(key, 9, 6).Map(u => u > 0.3 ? 1.0 : 0.0);
        AssertBitwise(mask, c.Mask, "mask");
        AssertBitwise(x.PointwiseMultiply(mask), y, "y");
        AssertBitwise(dy.PointwiseMultiply(mask), Dropout.Backward(c, dy), "dX");
    }

    [Fact]
    public void Kernels_leave_their_inputs_unchanged()
    {
        var x = Normal(22, 10, 8);
        var dy = Normal(23, 10, 8);
        var (xc, dyc) = (x.Clone(), dy.Clone());
        var spec = new BatchNorm(8, BatchNormConfig.Reference);
        var (_, _, c) = BatchNorm.Forward(spec, spec.InitParams(), spec.InitStats(), x, Mode.Train);
        _ = BatchNorm.Backward(spec.InitParams(), c, dy);
        _ = new Relu().Backward(new Relu().Forward(x).Cache, dy);
        _ = new SoftmaxWithLoss().LossAndGradient(x, OneHot(1, 10, 8));
        AssertBitwise(xc, x, "x");
        AssertBitwise(dyc, dy, "dy");
    }
}
