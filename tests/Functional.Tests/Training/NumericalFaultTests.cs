using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Training;

/// <summary>
/// Numerical faults in the library: a non-finite loss or gradient stops training AT that step with the step and the
/// first bad array named, and the state before it is untouched. (Finite softmax for logits ±1e4:
/// FunctionsTests.Softmax_rows_sum_to_one_and_survive_huge_logits; BatchNorm with zero variance:
/// LayerTests.BatchNorm_with_zero_variance_stays_finite; the CLI's exit 3: Cli/ProcessTests.)
/// </summary>
public class NumericalFaultTests
{
    static readonly Functional.Models.Network Net = Nets.MultiLayerNetExtend(4, [3], 2);

    [Fact]
    public void A_huge_learning_rate_stops_at_the_first_non_finite_step_naming_it_and_the_first_bad_array()
    {
        var opt = new Sgd(1e12);
        var x = Normal(1, 6, 4, 10.0);
        var t = OneHot(2, 6, 2);
        var s = TrainState.Start(Net, opt, Key.Of(3));
        var states = new List<TrainState> { s };
        var ex = Assert.Throws<NonFiniteException>(() =>
        {
            for (var i = 0; i < 50; i++)
                states.Add(Train.Step(Net, opt, states[^1], x, t).State);
        });
        // Every state handed out before the failure is finite; the failing step is the next one.
        Assert.Equal(states[^1].Step + 1, ex.Step);
        Assert.All(states, st => Assert.True(st.Params.Values.Values.All(m => m.Enumerate().All(double.IsFinite))));
        Assert.Contains($"step {ex.Step}", ex.Message, StringComparison.Ordinal);
        Assert.Matches(@"(the loss \(.*\)|the gradient of '\d+\.\w+')", ex.Message);
    }

    /// <summary>ReLU maps NaN to 0 in its forward pass (max(0, x) written as x &gt; 0 ? x : 0), so the loss of a batch
    /// with a NaN input can be finite; the gradient of the first weights (NaN·0 = NaN) still is not, and the step is
    /// refused naming '0.W'. (Loaders reject non-finite inputs before this: DigitsFuzzTests, IDX holds bytes.)</summary>
    [Fact]
    public void A_NaN_input_is_caught_at_step_1_by_the_first_gradient_in_key_order()
    {
        var opt = new Sgd(0.1);
        var x = Normal(1, 6, 4).With(2, 1, double.NaN);
        var s = TrainState.Start(Net, opt, Key.Of(3));
        var ex = Assert.Throws<NonFiniteException>(() => Train.Step(Net, opt, s, x, OneHot(2, 6, 2)));
        Assert.Equal(1, ex.Step);
        Assert.Contains("step 1: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the gradient of '0.W'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Softmax_with_loss_forward_and_backward_stay_finite_for_logits_of_plus_minus_1e4()
    {
        var scores = Mat.FromRows([
            [1e4, -1e4, 0],
            [-1e4, -1e4, -1e4],
            [-1e4, 1e4, 1e4],
        ]);
        var t = Mat.OneHot([1, 0, 2], 3);
        var loss = new SoftmaxWithLoss();
        var (l, cache) = loss.Forward(scores, t);
        Assert.True(double.IsFinite(l), $"loss {l}");
        Assert.Equal((2e4 + Math.Log(3) + Math.Log(2)) / 3, l, 9); // row 0: 2e4; row 1: log 3; row 2: log 2
        Assert.True(loss.Backward(cache).Enumerate().All(double.IsFinite));
    }

    [Fact]
    public void Sigmoid_and_tanh_saturate_without_NaN_for_inputs_of_plus_minus_1e4()
    {
        var x = Mat.Row(1e4, -1e4, 800, -800);
        foreach (var y in new[] { Functions.Sigmoid(x), Functions.Tanh(x) })
            Assert.True(y.Enumerate().All(double.IsFinite));
        var net = new Functional.Models.Network(
            4,
            LanguageExt.Prelude.Seq1<Layer>(new Sigmoid()),
            new MeanSquaredError()
        );
        var r = net.LossAndGrads(Params.Empty, ModelState.Empty, x, Mat.Row(0, 0, 0, 0), Ctx.Eval);
        Assert.True(double.IsFinite(r.Loss));
    }

    /// <summary>
    /// The finiteness check over an array: one NaN, +∞ or −∞ anywhere — in the unrolled 16-element body, the 4-element
    /// steps after it or the scalar tail — is found; finite extremes (±max, subnormals, −0) are not flagged.
    /// </summary>
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Every_position_of_a_non_finite_value_is_found(double bad)
    {
        foreach (var n in new[] { 1, 3, 4, 15, 16, 17, 23, 37, 64 })
        {
            var x = Enumerable
                .Range(0, n)
                .Select(i =>
                    (i % 4) switch
                    {
                        0 => double.MaxValue,
                        1 => -double.Epsilon,
                        2 => -0.0,
                        _ => -1e300,
                    }
                )
                .ToArray();
            Assert.True(Functional.Kernels.Elementwise.AllFinite(x), $"all finite, n = {n}");
            for (var k = 0; k < n; k++)
            {
                var y = (double[])x.Clone();
                y[k] = bad;
                Assert.False(Functional.Kernels.Elementwise.AllFinite(y), $"{bad} at {k} of {n}");
            }
        }
    }
}
