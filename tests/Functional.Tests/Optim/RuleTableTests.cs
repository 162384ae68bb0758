using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Optim;

/// <summary>One table of rules, plain and chained (Optimisers.jl's test/rules.jl), through every generic property.</summary>
public class RuleTableTests
{
    static readonly Dictionary<string, IRule> Table = new()
    {
        ["sgd"] = new Sgd(0.05),
        ["momentum"] = new Momentum(0.05),
        ["nesterov"] = new Nesterov(0.05),
        ["adagrad"] = new AdaGrad(0.5),
        ["rmsprop"] = new RmsProp(0.05),
        ["adam"] = Adam.Dlfs(0.05),
        ["adam-standard"] = Adam.Standard(0.05),
        ["adamw"] = new AdamW(0.05),
        ["decay→momentum"] = Chain.Of(new WeightDecay(0.01), new Momentum(0.05)),
        ["sgd→schedule"] = Chain.Of(new Sgd(0.1), new ScaleBySchedule(new LearningRateSchedule.Cosine(300, 0.1))),
        ["clip→adam"] = Chain.Of(new ClipByGlobalNorm(1.0), Adam.Dlfs(0.05)),
        ["decay→clip→nesterov"] = Chain.Of(new WeightDecay(0.01), new ClipByGlobalNorm(1.0), new Nesterov(0.05)),
        ["adamw→clip"] = Chain.Of(new AdamW(0.05), new ClipByGlobalNorm(0.1)),
    };

    public static TheoryData<string> Names => [.. Table.Keys];

    static readonly Tensor Target = Mat.Row(1.0, -2.0, 0.5);

    static Params P() =>
        new(
            LanguageExt
                .Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), Mat.Row(3.0, 3.0, 3.0))
                .Add(new ParamKey(1, "W"), Mat.Row(-2.0, 0.0, 1.0))
        );

    static Grads G(Params p) => new(p.Values.Map(m => m - Target));

    static double F(Params p) => p.Values.Values.Sum(m => 0.5 * Mat.SumOfSquares(m - Target));

    [Theory]
    [MemberData(nameof(Names))]
    public void Decreases_a_convex_quadratic(string name)
    {
        var rule = Table[name];
        var ps = P();
        var st = Optimizers.Init(rule, ps);
        var start = F(ps);
        for (var i = 0; i < 300; i++)
            (ps, st) = Optimizers.Update(rule, st, ps, G(ps));
        Assert.True(F(ps) < 0.05 * start, $"{rule.Name}: {start} → {F(ps)}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Its_JSON_names_an_equal_rule(string name)
    {
        var rule = Table[name];
        var json = RuleSpec.ToJson(rule);
        var back = RuleSpec.FromJson(JsonNode.Parse(json.ToJsonString()));
        Assert.Equal(rule, back);
        Assert.Equal(json.ToJsonString(), RuleSpec.ToJson(back).ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_state_restored_from_its_buffers_continues_bitwise(string name)
    {
        var rule = Table[name];
        var ps = P();
        var st = Optimizers.Init(rule, ps);
        for (var i = 0; i < 3; i++)
            (ps, st) = Optimizers.Update(rule, st, ps, G(ps));
        Assert.All(st.Slots.Values, s => Assert.Equal(rule.SlotSize, s.Buffers.Count));
        var restored = st with { Slots = st.Slots.Map(s => rule.Restore(s.Buffers.Map(m => m.Clone()))) };
        var (a, sa) = Optimizers.Update(rule, st, ps, G(ps));
        var (b, sb) = Optimizers.Update(rule, restored, ps, G(ps));
        foreach (var (k, m) in a.Values)
            AssertBitwise(m, b[k], $"{name} {k}");
        foreach (var (k, s) in sa.Slots)
            Assert.Equal(s.Buffers.Count, sb.Slots[k].Buffers.Count);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Declares_that_it_keeps_no_reference_to_its_inputs(string name) =>
        Assert.True(Table[name].ForgetsInputs);

    [Theory]
    [MemberData(nameof(Names))]
    public void A_checkpoint_gives_back_the_rule_and_its_state(string name)
    {
        var rule = Table[name];
        var net = Nets.MultiLayerNet(4, [3], 2);
        var s = TrainState.Start(net, rule, Key.Of(3));
        s = Train.Step(net, rule, s, Normal(1, 5, 4), OneHot(2, 5, 2)).State;
        var bytes = Checkpoint.Encode(new Checkpoint(net, rule, s, new JsonObject()));
        var c = Checkpoint.Decode(bytes, name).Match(x => x, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(rule, c.Optimizer);
        foreach (var (k, slot) in s.Opt.Slots)
        {
            var (x, y) = (slot.Buffers.ToArray(), c.State.Opt.Slots[k].Buffers.ToArray());
            Assert.Equal(x.Length, y.Length);
            for (var j = 0; j < x.Length; j++)
                AssertBitwise(x[j], y[j], $"{name} {k}[{j}]");
        }
    }

    /// <summary>A leading clip is the header's <c>clip_global_norm</c> beside the bare rule: the format files
    /// written by an <c>Optimizer(rule, clip)</c> record used, so both read the same.</summary>
    [Fact]
    public void A_leading_clip_is_written_as_the_headers_clip_field()
    {
        var net = Nets.MultiLayerNet(4, [3], 2);
        var rule = Chain.Of(new ClipByGlobalNorm(0.5), Adam.Dlfs(0.01));
        var s = TrainState.Start(net, rule, Key.Of(3));
        var bytes = Checkpoint.Encode(new Checkpoint(net, rule, s, new JsonObject()));
        var header = Header(bytes);
        Assert.Equal(0.5, header["clip_global_norm"]!.GetValue<double>());
        Assert.Equal(RuleSpec.ToJson(Adam.Dlfs(0.01)).ToJsonString(), header["optimizer"]!.ToJsonString());
        var plain = Header(Checkpoint.Encode(new Checkpoint(net, Adam.Dlfs(0.01), s, new JsonObject()), false));
        Assert.Equal(0.0, plain["clip_global_norm"]!.GetValue<double>());
    }

    static JsonObject Header(byte[] bytes)
    {
        var n = BitConverter.ToInt32(bytes, 8); // after the magic and the version
        return JsonNode.Parse(System.Text.Encoding.UTF8.GetString(bytes, 12, n))!.AsObject();
    }

    [Fact]
    public void A_clip_alone_refuses_to_run_one_array_at_a_time()
    {
        IRule clip = new ClipByGlobalNorm(1.0);
        var p = Mat.Row(1.0, 2.0);
        Assert.Throws<InvalidOperationException>(() => clip.Apply(NoSlot.Instance, p, p, 1));
    }

    [Fact]
    public void A_clip_after_a_link_measures_that_links_output()
    {
        // decay λ = 1 doubles g = p − target at p = 3·target; the clip then sees ‖2g‖, not ‖g‖.
        var target = Mat.Row(1.0, 2.0);
        var ps = new Params(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), Mat.Row(3.0, 6.0)));
        var gs = new Grads(ps.Values.Map(m => m - target)); // (2, 4); with λp added: (5, 10), norm √125
        var rule = Chain.Of(new WeightDecay(1.0), new ClipByGlobalNorm(1.0));
        var (next, _) = Optimizers.Update(rule, Optimizers.Init(rule, ps), ps, gs);
        Assert.Equal(3.0 - 5.0 / Math.Sqrt(125), next[0, "W"][0, 0], 12);
        Assert.Equal(6.0 - 10.0 / Math.Sqrt(125), next[0, "W"][0, 1], 12);
    }
}
