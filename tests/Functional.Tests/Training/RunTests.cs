using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Support;
using Functional.Training;
using LanguageExt;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>
/// <see cref="Train.Run"/>, the fold that recycles dead states' arrays (<see cref="Recycler"/>), against
/// <see cref="Train.Steps"/>: the same final state bit for bit, and the caller's start state untouched. These
/// networks are small, so the tests ask <c>Run</c> to recycle states of any size.
/// </summary>
public class RunTests
{
    static readonly Dataset Toy = TestData.Toy(31, 40);

    // Hidden layers of equal width, so several arrays share a length and the pool hands them out in turn.
    static Functional.Models.Network Net(bool batchNorm) =>
        Nets.MultiLayerNetExtend(6, [5, 5, 5], 3, batchNorm: batchNorm);

    public static TheoryData<string, bool> Cells()
    {
        var d = new TheoryData<string, bool>();
        foreach (var o in TestData.RuleNames)
        foreach (var bn in new[] { false, true })
            d.Add(o, bn);
        return d;
    }

    static double[][] Copy(TrainState s) =>
        [
            .. s.Params.Values.Values.Select(m => Mat.Data(m).ToArray()),
            .. s.Opt.Slots.Values.SelectMany(sl => sl.Buffers).Select(m => Mat.Data(m).ToArray()),
        ];

    [Theory]
    [MemberData(nameof(Cells))]
    public void Run_ends_where_Steps_ends_bitwise_and_leaves_the_start_state_alone(string optimizer, bool batchNorm)
    {
        var net = Net(batchNorm);
        var opt = Functional.Optim.Optimizers.Parse(optimizer, 0.05);
        var batches = new Batches(Toy.Count, 8, BatchSampling.Shuffle);
        var start = TrainState.Start(net, opt, Key.Of(7));
        var before = Copy(start);

        var steps = Train.Steps(net, opt, start, Toy, batches, 23).ToList();
        var run = Train.Run(net, opt, start, Toy, batches, 23, recycleFrom: 0);

        Assert.Equal(23, run.State.Step);
        Assert.Equal(steps[^1].Loss, run.Loss); // bitwise doubles
        Assert.Equal(
            Checkpoint.Encode(new Checkpoint(net, opt, steps[^1].State, new())),
            Checkpoint.Encode(new Checkpoint(net, opt, run.State, new()))
        );
        var after = Copy(start);
        Assert.Equal(before.Length, after.Length);
        for (var i = 0; i < before.Length; i++)
            Assert.True(before[i].AsSpan().SequenceEqual(after[i]), $"start array {i} was written by Run");
        // Steps' own intermediate states are untouched by the Run that followed: its step 10 trains on the same.
        var from10 = Train.Steps(net, opt, steps[9].State, Toy, batches, 23).Last();
        Assert.Equal(
            Checkpoint.Encode(new Checkpoint(net, opt, steps[^1].State, new())),
            Checkpoint.Encode(new Checkpoint(net, opt, from10.State, new()))
        );
    }

    [Fact]
    public void Run_resumed_from_its_own_result_continues_like_Steps()
    {
        var net = Net(false);
        var opt = Adam.Dlfs(0.01);
        var batches = new Batches(Toy.Count, 8, BatchSampling.Replacement);
        var start = TrainState.Start(net, opt, Key.Of(8));
        var half = Train.Run(net, opt, start, Toy, batches, 9, recycleFrom: 0).State;
        var halfCopy = Copy(half);
        var whole = Train.Run(net, opt, half, Toy, batches, 20, recycleFrom: 0).State;
        var straight = Train.Steps(net, opt, start, Toy, batches, 20).Last().State;
        Assert.Equal(ParamsHash.Sha256(straight.Params), ParamsHash.Sha256(whole.Params));
        var after = Copy(half);
        for (var i = 0; i < halfCopy.Length; i++)
            Assert.True(halfCopy[i].AsSpan().SequenceEqual(after[i]), $"the second Run wrote its start's array {i}");
    }

    [Fact]
    public void Run_with_no_step_to_take_returns_the_start_state()
    {
        var net = Net(false);
        var opt = new Sgd(0.1);
        var start = TrainState.Start(net, opt, Key.Of(9));
        var r = Train.Run(net, opt, start, Toy, new Batches(Toy.Count, 8, BatchSampling.Shuffle), 0);
        Assert.Same(start, r.State);
        Assert.True(double.IsNaN(r.Loss));
    }

    /// <summary>A rule the library does not know: it could keep references the fold cannot see, so nothing is
    /// recycled, and the result is still the loop's.</summary>
    sealed record HalfStep(double LearningRate) : IRule
    {
        public string Name => "half-step";
        public int SlotSize => 0;

        public ISlot Init(Tensor param) => NoSlot.Instance;

        public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
            (slot, grad * (LearningRate / 2));

        public ISlot Restore(Seq<Tensor> buffers) => NoSlot.Instance;
    }

    [Fact]
    public void Run_with_a_rule_of_its_own_equals_Steps()
    {
        var net = Net(false);
        var opt = new HalfStep(0.2);
        var batches = new Batches(Toy.Count, 8, BatchSampling.Shuffle);
        var start = TrainState.Start(net, opt, Key.Of(10));
        var steps = Train.Steps(net, opt, start, Toy, batches, 12).Last();
        var run = Train.Run(net, opt, start, Toy, batches, 12, recycleFrom: 0);
        Assert.Equal(ParamsHash.Sha256(steps.State.Params), ParamsHash.Sha256(run.State.Params));
        Assert.NotEqual(ParamsHash.Sha256(start.Params), ParamsHash.Sha256(run.State.Params));
    }
}
