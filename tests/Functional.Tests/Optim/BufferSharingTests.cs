using Functional.Core;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;
using Xunit;

namespace Functional.Tests.Optim;

/// <summary>
/// Whether the training loop hands a rule gradients in its scratch memory and recycles dead states' arrays is
/// declared by the rule (<see cref="IRule.ForgetsInputs"/>) and, for a chain, by all its links; a rule that does
/// not declare it gets fresh buffers.
/// </summary>
public class BufferSharingTests
{
    static readonly Dataset Toy = Support.TestData.Toy(41, 40);

    /// <summary>SGD that records what it was handed, to look at those arrays after the run (a test's breach of
    /// its own declaration, made only to observe the loop).</summary>
    sealed record Spy(bool Declares, List<(Tensor M, double[] Then)> Seen) : IRule
    {
        public string Name => "spy";
        public int SlotSize => 0;
        public bool ForgetsInputs => Declares;

        public ISlot Init(Tensor param) => NoSlot.Instance;

        public ISlot Restore(Seq<Tensor> buffers) => NoSlot.Instance;

        public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step)
        {
            Seen.Add((grad, Mat.Data(grad).ToArray()));
            Seen.Add((param, Mat.Data(param).ToArray()));
            return (slot, grad * 0.05);
        }
    }

    /// <summary>How many arrays the spy was handed changed after it returned.</summary>
    static int Overwritten(Func<Spy, IRule> wrap, bool declares)
    {
        var spy = new Spy(declares, []);
        var rule = wrap(spy);
        var net = Nets.MultiLayerNetExtend(6, [5, 5], 3);
        var start = TrainState.Start(net, rule, Key.Of(4));
        Train.Run(net, rule, start, Toy, new Batches(Toy.Count, 8, BatchSampling.Shuffle), 6, recycleFrom: 0);
        return spy.Seen.Count(s => !Mat.Data(s.M).AsSpan().SequenceEqual(s.Then));
    }

    public static TheoryData<string> Wrappings => ["alone", "after sgd", "before decay"];

    static Func<Spy, IRule> Wrap(string how) =>
        how switch
        {
            "alone" => s => s,
            "after sgd" => s => new Chain(new Sgd(0.01), s),
            _ => s => new Chain(s, new WeightDecay(0.01)),
        };

    [Theory]
    [MemberData(nameof(Wrappings))]
    public void A_rule_that_declares_it_shares_the_loops_buffers(string how) =>
        Assert.True(Overwritten(Wrap(how), true) > 0);

    [Theory]
    [MemberData(nameof(Wrappings))]
    public void A_rule_that_does_not_declare_it_gets_fresh_buffers(string how) =>
        Assert.Equal(0, Overwritten(Wrap(how), false));

    [Fact]
    public void A_chain_declares_it_when_all_its_links_do()
    {
        var spy = new Spy(false, []);
        Assert.True(Chain.Of(new WeightDecay(0.1), new ClipByGlobalNorm(1), Adam.Dlfs()).ForgetsInputs);
        Assert.False(Chain.Of(new WeightDecay(0.1), spy).ForgetsInputs);
        Assert.False(Chain.Of(spy, new Sgd()).ForgetsInputs);
        Assert.False(((IRule)spy).ForgetsInputs);
    }
}
