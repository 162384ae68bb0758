using Functional.Core;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Support;
using Functional.Training;
using Xunit;
using static Functional.Optim.LearningRateSchedule;

namespace Functional.Tests.Optim;

/// <summary>The linear warm-up: its factor, its effect on a step, its JSON form, and a bitwise resume inside the ramp.</summary>
public class WarmupTests
{
    [Fact]
    public void The_factor_is_min_1_t_over_steps_on_the_1_based_step()
    {
        var w = new Warmup(4);
        Assert.Equal([0.25, 0.5, 0.75, 1.0, 1.0, 1.0], Enumerable.Range(1, 6).Select(t => w.Factor(t)));
        Assert.Equal(1.0, new Warmup(1).Factor(1));
        Assert.Equal(1.0 / 3, new Warmup(3).Factor(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Warmup(0));
        Assert.Equal(0.5, new Fixed(0.5).Factor(17));
    }

    [Fact]
    public void Chained_after_sgd_it_scales_each_step_by_its_factor()
    {
        var rule = new Chain(new Sgd(0.1), new ScaleBySchedule(new Warmup(3)));
        var key = new ParamKey(0, "W");
        var ps = new Params(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(key, Mat.Row(3.0, -1.0)));
        var st = Optimizers.Init(rule, ps);
        var g = new Grads(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(key, Mat.Row(2.0, 4.0)));
        var expected = new[] { 3.0, -1.0 };
        for (var t = 1; t <= 5; t++)
        {
            (ps, st) = Optimizers.Update(rule, st, ps, g);
            var f = Math.Min(1.0, t / 3.0);
            expected = [expected[0] - 0.1 * 2.0 * f, expected[1] - 0.1 * 4.0 * f];
            Assert.Equal(expected[0], ps[key].Span[0], 15);
            Assert.Equal(expected[1], ps[key].Span[1], 15);
        }
    }

    [Fact]
    public void A_warmup_chain_round_trips_through_its_json_form()
    {
        IRule rule = Plateau.With(new Chain(new Momentum(0.1, 0.8), new ScaleBySchedule(new Warmup(25))));
        var json = RuleSpec.ToJson(rule).ToJsonString();
        Assert.Contains("\"warmup\"", json, StringComparison.Ordinal);
        Assert.Equal(rule, RuleSpec.FromJson(System.Text.Json.Nodes.JsonNode.Parse(json)));
    }

    [Fact]
    public void Resume_inside_the_ramp_equals_straight_through_bitwise()
    {
        var data = TestData.Toy(3, 60);
        var net = Nets.MultiLayerNetExtend(data.Features, [6], data.ClassNames.Length, batchNorm: true, dropout: 0.2);
        var opt = new Chain(new Momentum(0.05, 0.9), new ScaleBySchedule(new Warmup(30)));
        var batches = new Batches(60, 8, BatchSampling.Shuffle);
        var start = TrainState.Start(net, opt, Key.Of(4));
        var straight = Train.Steps(net, opt, start, data, batches, 45).Last().State;

        var atK = Train.Steps(net, opt, start, data, batches, 13).Last().State;
        var restored = Checkpoint
            .Decode(Checkpoint.Encode(new Checkpoint(net, opt, atK, new())), "memory")
            .Match(c => c, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(opt, restored.Optimizer);
        var resumed = Train.Steps(restored.Net, restored.Optimizer!, restored.State, data, batches, 45).Last().State;

        Assert.Equal(
            Checkpoint.Encode(new Checkpoint(net, opt, straight, new())),
            Checkpoint.Encode(new Checkpoint(net, opt, resumed, new()))
        );
        var plain = Train
            .Steps(
                net,
                new Momentum(0.05, 0.9),
                TrainState.Start(net, new Momentum(0.05, 0.9), Key.Of(4)),
                data,
                batches,
                45
            )
            .Last()
            .State;
        Assert.NotEqual(ParamsHash.Sha256(plain.Params), ParamsHash.Sha256(straight.Params));
    }
}
