using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Core;

/// <summary>
/// The training loop's scratch arrays: handed out again in order after a reset, and invisible in the results —
/// the loop (scratch) gives bitwise the fold of the public step (fresh arrays), including a short last batch and
/// a rule of the caller's that keeps its gradient.
/// </summary>
public class StepScratchTests
{
    [Fact]
    public void Hands_out_the_same_arrays_in_the_same_order_after_a_reset()
    {
        var s = new StepScratch();
        var a = s.Next(3, 4).D;
        var b = s.Next(3, 4).D;
        Assert.NotSame(a, b);
        s.Reset();
        Assert.Same(a, s.Next(3, 4).D);
        Assert.Same(b, s.Next(3, 4).D);
        var c = s.Next(2, 2).D; // a third array the first step did not ask for
        s.Reset();
        Assert.Same(a, s.Next(3, 4).D);
        var shorter = s.Next(2, 4); // a short batch: a new array of the new shape, kept for the next step
        Assert.NotSame(b, shorter.D);
        Assert.Equal((2, 4), (shorter.M.RowCount, shorter.M.ColumnCount));
        Assert.Same(c, s.Next(2, 2).D);
        s.Reset();
        s.Next(3, 4);
        Assert.Same(shorter.D, s.Next(2, 4).D);
    }

    [Fact]
    public void Without_a_scratch_every_array_is_new()
    {
        Assert.NotSame(StepScratch.New(null, 2, 2).D, StepScratch.New(null, 2, 2).D);
    }

    static readonly Dataset Toy = Functional.Tests.Support.TestData.Toy(31, 45);

    public static TheoryData<string, string> Cells()
    {
        var d = new TheoryData<string, string>();
        foreach (
            var o in new[] { "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "keeps-gradient" }
        )
        foreach (var n in new[] { "relu", "tanh+decay", "sigmoid+dropout", "batchnorm" })
            d.Add(o, n);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void The_loop_equals_the_fold_of_fresh_steps_bitwise(string optimizer, string network)
    {
        var net = network switch
        {
            "relu" => Nets.MultiLayerNetExtend(6, [5, 4], 3, HiddenActivation.Relu),
            "tanh+decay" => Nets.MultiLayerNetExtend(6, [5, 4], 3, HiddenActivation.Tanh, weightDecay: 0.01),
            "sigmoid+dropout" => Nets.MultiLayerNetExtend(6, [5], 3, HiddenActivation.Sigmoid, dropout: 0.3),
            _ => Nets.MultiLayerNetExtend(6, [5, 4], 3, batchNorm: true),
        };
        IRule rule =
            optimizer == "keeps-gradient"
                ? new KeepsGradient(0.05)
                : Functional.Optim.Optimizers.Parse(optimizer, 0.05);
        var opt = rule;
        var batches = new Batches(Toy.Count, 8, BatchSampling.Shuffle); // 45 rows: five batches of 8, then one of 5
        const long total = 14;
        var start = TrainState.Start(net, opt, Key.Of(5));

        var loop = Train.Steps(net, opt, start, Toy, batches, total).ToList();
        var s = start;
        for (var i = 0; i < total; i++)
        {
            var r = Train.Step(net, opt, s, Toy, batches);
            Assert.Equal(BitConverter.DoubleToInt64Bits(r.Loss), BitConverter.DoubleToInt64Bits(loop[i].Loss));
            Assert.Equal(ParamsHash.Sha256(r.State.Params), ParamsHash.Sha256(loop[i].State.Params));
            s = r.State;
        }
        foreach (var (key, slot) in s.Opt.Slots)
        {
            var expected = slot.Buffers.ToArray();
            var actual = loop[^1].State.Opt.Slots[key].Buffers.ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (var j = 0; j < expected.Length; j++)
                AssertBitwise(expected[j], actual[j], $"slot {key}[{j}]");
        }
    }

    /// <summary>A caller's rule whose slot holds on to the gradient it was given (delta = lr·(g + previous g)):
    /// the loop must not hand it a gradient that the next step overwrites.</summary>
    sealed record KeepsGradient(double LearningRate) : IRule
    {
        sealed record Last(Tensor G) : ISlot
        {
            public Seq<Tensor> Buffers => Prelude.Seq1(G);
        }

        public string Name => "keeps-gradient";
        public int SlotSize => 1;

        public ISlot Init(Tensor param) => new Last(Tensor.Zeros(param.RowCount, param.ColumnCount));

        public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
            (new Last(grad), (grad + ((Last)slot).G) * LearningRate);

        public ISlot Restore(Seq<Tensor> buffers) => new Last(buffers[0]);
    }
}
