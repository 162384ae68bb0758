using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Support;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>
/// Determinism as a tested promise, in-process and cheap, for every optimizer × {plain, BatchNorm, Dropout,
/// BatchNorm+Dropout} network × both samplers: a checkpoint Encode/Decode at step k (k = 1, mid-epoch, on an epoch
/// boundary, just after one) and training on gives bitwise the straight run's parameters, BatchNorm statistics,
/// optimizer state and per-step losses (the whole checkpoint's bytes are compared). ResumeTests covers three of
/// these cells; this is the full table. Cross-process and processor-count runs: Cli/ProcessTests.
/// </summary>
public class DeterminismTests
{
    static readonly Dataset Toy = TestData.Toy(21, 48);

    static Functional.Models.Network Net(string kind) =>
        kind switch
        {
            "plain" => Nets.MultiLayerNetExtend(6, [5, 4], 3, HiddenActivation.Tanh, weightDecay: 0.01),
            "batchnorm" => Nets.MultiLayerNetExtend(6, [5, 4], 3, batchNorm: true),
            "dropout" => Nets.MultiLayerNetExtend(6, [5, 4], 3, dropout: 0.3),
            _ => Nets.MultiLayerNetExtend(6, [5, 4], 3, batchNorm: true, dropout: 0.3),
        };

    public static TheoryData<string, string> Cells()
    {
        var d = new TheoryData<string, string>();
        foreach (var o in TestData.RuleNames)
        foreach (var n in new[] { "plain", "batchnorm", "dropout", "batchnorm+dropout" })
            d.Add(o, n);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Checkpoint_at_any_step_then_resume_equals_straight_through_bitwise(string optimizer, string network)
    {
        var net = Net(network);
        var opt = Functional.Optim.Optimizers.Parse(optimizer, 0.05);
        foreach (var sampling in new[] { BatchSampling.Shuffle, BatchSampling.Replacement })
        {
            var batches = new Batches(Toy.Count, 8, sampling); // 6 steps per epoch
            const long total = 20;
            var start = TrainState.Start(net, opt, Key.Of(99));
            var straight = Train.Steps(net, opt, start, Toy, batches, total).ToList();
            var straightBytes = Checkpoint.Encode(new Checkpoint(net, opt, straight[^1].State, new()));
            Assert.NotEqual(ParamsHash.Sha256(start.Params), ParamsHash.Sha256(straight[^1].State.Params));
            // Two runs in one process are bit-identical too (no hidden state between them).
            var again = Train.Steps(net, opt, start, Toy, batches, total).Last().State;
            Assert.Equal(straightBytes, Checkpoint.Encode(new Checkpoint(net, opt, again, new())));

            foreach (var k in new long[] { 1, 4, 6, 7, 13 })
            {
                var atK = straight[(int)k - 1].State;
                var restored = Checkpoint
                    .Decode(Checkpoint.Encode(new Checkpoint(net, opt, atK, new())), "memory")
                    .Match(c => c, e => throw new Xunit.Sdk.XunitException(e.Message));
                var rest = Train.Steps(restored.Net, restored.Optimizer!, restored.State, Toy, batches, total).ToList();
                var where = $"{optimizer}/{network}/{sampling}, resumed at step {k}";
                Assert.Equal(straight.Skip((int)k).Select(r => r.Loss), rest.Select(r => r.Loss)); // bitwise doubles
                Assert.True(
                    straightBytes
                        .AsSpan()
                        .SequenceEqual(Checkpoint.Encode(new Checkpoint(net, opt, rest[^1].State, new()))),
                    $"{where}: final state differs"
                );
            }
        }
    }

    /// <summary>Evaluation in chunks of any size gives the bits of one pass: every row's loss terms are summed in row
    /// order across the chunks (LossLayer.AddToSum). A softmax MLP with BatchNorm, a two-output MSE net and a conv net
    /// whose scores come through the fused conv-ReLU-pool stage (Network.Scores).</summary>
    [Theory]
    [InlineData("softmax")]
    [InlineData("mse")]
    [InlineData("conv")]
    public void Evaluate_in_chunks_matches_one_pass_bitwise(string kind)
    {
        var (net, data) = kind switch
        {
            "softmax" => (Net("batchnorm"), Toy),
            "mse" => (
                Nets.MultiLayerNetExtend(6, [5], 2, batchNorm: true) with
                {
                    Loss = new MeanSquaredError(),
                },
                new Dataset("mse", TestData.Normal(5, 48, 6), TestData.Normal(6, 48, 2), [], [])
            ),
            _ => (
                Nets.SimpleConvNet(SampleShape.Image(1, 8, 8), filters: 4, kernel: 3, hidden: 10),
                new Dataset(
                    "images",
                    TestData.Normal(7, 37, 64),
                    TestData.OneHot(8, 37, 10),
                    [.. TestData.Labels(8, 37, 10)],
                    [
                        .. Enumerable
                            .Range(0, 10)
                            .Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ]
                )
            ),
        };
        if (kind == "conv") // the fused conv-ReLU-pool stage, or the comparison below is Forward against itself
            Assert.NotNull(net.Plan.TrainingForward[0].Pooled);
        var s = TrainState.Start(net, new Sgd(), Key.Of(1));
        var whole = Train.Evaluate(net, s.Params, s.Model, data, chunk: data.Count);
        var plain = net.Forward(s.Params, s.Model, data.X, Ctx.Eval).Scores;
        if (kind != "mse") // one pass of the cross-entropy is the loss layer's own sum; MSE's runs element-major
            Assert.Equal(
                BitConverter.DoubleToInt64Bits(net.Loss.Forward(plain, data.T).Loss + net.Penalty(s.Params)),
                BitConverter.DoubleToInt64Bits(whole.Loss)
            );
        TestData.AssertBitwise(
            plain,
            net.Scores(s.Params, s.Model, data.X, Ctx.Eval),
            $"{kind}: scores for evaluation"
        );
        foreach (var chunk in new[] { 1, 7, 10, 1000 })
        {
            var m = Train.Evaluate(net, s.Params, s.Model, data, chunk);
            Assert.Equal(whole.Accuracy, m.Accuracy);
            Assert.Equal(BitConverter.DoubleToInt64Bits(whole.Loss), BitConverter.DoubleToInt64Bits(m.Loss));
        }
    }
}
