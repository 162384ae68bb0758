using Functional.Core;
using Functional.Models;
using Functional.Optim;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using R = Functional.Tests.Support.Reference;

namespace Functional.Tests.Optim;

/// <summary>Optimizers.Update through each rule's one-pass IRule.Update against Apply followed by <c>p − delta</c>.</summary>
public class FusedUpdateTests
{
    public static TheoryData<string> Rules =>
        new()
        {
            "sgd",
            "momentum",
            "nesterov",
            "adagrad",
            "rmsprop",
            "adam",
            "adam-standard",
            "adamw",
            "chain",
            "schedule",
        };

    static IRule Rule(string name) =>
        name switch
        {
            "chain" => Chain.Of(new WeightDecay(0.01), new Momentum(0.05)),
            "schedule" => Chain.Of(new Sgd(0.1), new ScaleBySchedule(new LearningRateSchedule.StepDecay(2, 0.5))),
            _ => Functional.Optim.Optimizers.Parse(name, 0.05),
        };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Three_updates_equal_apply_then_subtract_bitwise(string name) => ThreeUpdates(name, 5, 7);

    /// <summary>A 100×101 weight (10 100 elements, a 4-element tail) is updated in parts by the workers.</summary>
    [Theory]
    [MemberData(nameof(Rules))]
    public void Three_updates_of_arrays_split_over_the_workers_equal_apply_then_subtract_bitwise(string name)
    {
        Assert.True(100 * 101 >= Lanes.ParallelElements);
        ThreeUpdates(name, 100, 101);
    }

    [Theory]
    [InlineData(10_100, 2)]
    [InlineData(10_100, 3)]
    [InlineData(8_192, 2)]
    [InlineData(17, 2)]
    public void The_parts_of_an_array_tile_it_in_runs_cut_at_multiples_of_8(int n, int parts)
    {
        var covered = new List<(int Lo, int Hi)>();
        var job = new Lanes.Ranges<List<(int, int)>>(n, covered, static (c, lo, hi) => c.Add((lo, hi)));
        for (var p = 0; p < parts; p++)
            job.RunPart(p, parts);
        Assert.Equal(0, covered[0].Lo);
        Assert.Equal(n, covered[^1].Hi);
        for (var p = 1; p < parts; p++)
        {
            Assert.Equal(covered[p - 1].Hi, covered[p].Lo);
            Assert.Equal(0, covered[p].Lo % 8);
        }
    }

    static void ThreeUpdates(string name, int inputs, int hidden)
    {
        var rule = Rule(name);
        var net = Nets.MultiLayerNetExtend(inputs, [hidden], 3, batchNorm: true);
        var ps = net.Init(Key.Of(1));
        var st = Functional.Optim.Optimizers.Init(rule, ps);
        var (rps, rst) = (ps, st);
        for (var step = 0; step < 3; step++)
        {
            var gs = new Grads(
                ps.Values.Map(
                    (ParamKey k, Tensor p) => Normal((ulong)(100 * step + k.Layer), p.RowCount, p.ColumnCount)
                )
            );
            (ps, st) = Functional.Optim.Optimizers.Update(rule, st, ps, gs);
            (rps, rst) = R.Update(rule, rst, rps, gs);
        }
        Assert.Equal(rst.Step, st.Step);
        foreach (var (key, p) in rps.Values)
        {
            AssertBitwise(p, ps[key], $"{name} {key}");
            var a = rst.Slots[key].Buffers.ToArray();
            var b = st.Slots[key].Buffers.ToArray();
            Assert.Equal(a.Length, b.Length);
            for (var i = 0; i < a.Length; i++)
                AssertBitwise(a[i], b[i], $"{name} {key} slot buffer {i}");
        }
    }

    [Fact]
    public void A_rule_without_its_own_Update_uses_the_default_composition()
    {
        IRule rule = new WeightDecay(0.5);
        var p = Normal(1, 3, 2);
        var g = Normal(2, 3, 2);
        var (_, updated) = rule.Update(NoSlot.Instance, p, g, 1);
        AssertBitwise(p - (g + p * 0.5), updated, "p − (g + λp)");
    }

    [Fact]
    public void Parameters_without_gradients_are_kept_and_inputs_are_not_modified()
    {
        var net = Nets.MultiLayerNet(4, [3], 2);
        var ps = net.Init(Key.Of(2));
        var before = ps.Values.Map((Tensor m) => m.Clone());
        var rule = Adam.Dlfs(0.1);
        var st = Functional.Optim.Optimizers.Init(rule, ps);
        var only = new Grads(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), Normal(3, 4, 3)));
        var (next, _) = Functional.Optim.Optimizers.Update(rule, st, ps, only);
        Assert.Same(ps[2, "W"], next[2, "W"]);
        Assert.False(Mat.BitwiseEqual(ps[0, "W"], next[0, "W"]));
        foreach (var (k, m) in before)
            AssertBitwise(m, ps[k], $"input {k}");
    }
}
