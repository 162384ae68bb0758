using Functional.Core;
using Functional.Optim;
using LanguageExt;
using Xunit;

namespace Functional.Tests.Optim;

/// <summary>Table-driven tests over every rule (optax's alias_test, Optimisers.jl's RULES).</summary>
public class RuleTests
{
    public static TheoryData<string> Names =>
        ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adam-standard", "adamw"];

    static readonly Tensor Target = Mat.Row(1.0, -2.0, 0.5);

    // f(p) = ½‖p − target‖², a convex quadratic with gradient p − target.
    static double F(Tensor p) => 0.5 * Mat.SumOfSquares(p - Target);

    static Params P(Tensor m) => new(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), m));

    static Grads G(Params p) => new(p.Values.Map(m => m - Target));

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_rule_decreases_a_convex_quadratic(string name)
    {
        var rule = Functional.Optim.Optimizers.Parse(name, name == "adagrad" ? 0.5 : 0.05); // AdaGrad's steps shrink as 1/√t
        var ps = P(Mat.Row(3.0, 3.0, 3.0));
        var st = Functional.Optim.Optimizers.Init(rule, ps);
        var start = F(ps[0, "W"]);
        for (var i = 0; i < 200; i++)
            (ps, st) = Functional.Optim.Optimizers.Update(rule, st, ps, G(ps));
        Assert.Equal(200, st.Step);
        Assert.True(F(ps[0, "W"]) < 0.05 * start, $"{rule.Name}: {start} → {F(ps[0, "W"])}");
    }

    /// <summary>p0 = 3, target 1 (gradient g = p − 1), lr 0.1; each expected value is worked out by hand.</summary>
    [Fact]
    public void Sgd_momentum_nesterov_first_two_steps_match_hand_computation()
    {
        // SGD: p1 = 3 − 0.1·2 = 2.8; p2 = 2.8 − 0.1·1.8 = 2.62
        Check(new Sgd(0.1), 2.8, 2.62);
        // Momentum: v1 = −0.2 → p1 = 2.8; v2 = 0.9·(−0.2) − 0.1·1.8 = −0.36 → p2 = 2.44
        Check(new Momentum(0.1), 2.8, 2.44);
        // Nesterov: v1 = −0.2, p1 = 3 + 0.81·(−0.2) − 1.9·0.1·2 = 2.458;
        //           v2 = 0.9·(−0.2) − 0.1·1.458 = −0.3258, p2 = 2.458 + 0.81·v2 − 1.9·0.1·1.458
        Check(new Nesterov(0.1), 2.458, 2.458 + 0.81 * (-0.3258) - 1.9 * 0.1458);
    }

    [Fact]
    public void AdaGrad_and_RmsProp_first_two_steps_match_hand_computation()
    {
        // AdaGrad: h1 = 4 → p1 = 3 − 0.1·2/(2+ε); g2 = p1 − 1; h2 = 4 + g2² → p2 = p1 − 0.1·g2/(√h2+ε)
        var p1 = 3 - 0.2 / (2 + 1e-7);
        var g2 = p1 - 1;
        Check(new AdaGrad(0.1), p1, p1 - 0.1 * g2 / (Math.Sqrt(4 + g2 * g2) + 1e-7));
        // RMSprop: h1 = 0.01·4 = 0.04 → p1 = 3 − 0.1·2/(0.2+ε); h2 = 0.99·0.04 + 0.01·g2²
        var q1 = 3 - 0.2 / (0.2 + 1e-7);
        var q2 = q1 - 1;
        Check(new RmsProp(0.1), q1, q1 - 0.1 * q2 / (Math.Sqrt(0.99 * 0.04 + 0.01 * q2 * q2) + 1e-7));
    }

    [Fact]
    public void Adam_presets_first_two_steps_match_hand_computation()
    {
        // Book (folded): t=1: m = 0.2, v = 0.004, lr_t = 0.1·√0.001/0.1 → step = lr_t·0.2/(√0.004+1e-7)
        var lr1 = 0.1 * Math.Sqrt(1 - 0.999) / (1 - 0.9);
        var p1 = 3 - lr1 * 0.2 / (Math.Sqrt(0.004) + 1e-7);
        var g2 = p1 - 1;
        var m2 = 0.2 + 0.1 * (g2 - 0.2);
        var v2 = 0.004 + 0.001 * (g2 * g2 - 0.004);
        var lr2 = 0.1 * Math.Sqrt(1 - 0.999 * 0.999) / (1 - 0.81);
        Check(Adam.Dlfs(0.1), p1, p1 - lr2 * m2 / (Math.Sqrt(v2) + 1e-7));
        // Standard: m̂1 = 2, v̂1 = 4 → p1 = 3 − 0.1·2/(2+1e-8)
        var s1 = 3 - 0.1 * 2 / (2 + 1e-8);
        var h2 = s1 - 1;
        var sm = (0.2 + 0.1 * (h2 - 0.2)) / (1 - 0.81);
        var sv = (0.004 + 0.001 * (h2 * h2 - 0.004)) / (1 - 0.999 * 0.999);
        Check(Adam.Standard(0.1), s1, s1 - 0.1 * sm / (Math.Sqrt(sv) + 1e-8));
    }

    [Fact]
    public void AdamW_adds_decoupled_decay_and_weight_decay_chains_in_front()
    {
        // AdamW step 1: Adam standard's 0.1·2/(2+1e-8) plus the decoupled 0.1·0.01·p0.
        // Step 2: g2 = p1 − 1, m̂ and v̂ as in Adam standard, plus 0.1·0.01·p1.
        var a1 = 3 - 0.1 * 2 / (2 + 1e-8) - 0.1 * 0.01 * 3;
        var g2 = a1 - 1;
        var m2 = (0.2 + 0.1 * (g2 - 0.2)) / (1 - 0.81);
        var v2 = (0.004 + 0.001 * (g2 * g2 - 0.004)) / (1 - 0.999 * 0.999);
        Check(new AdamW(0.1, 0.01), a1, a1 - 0.1 * m2 / (Math.Sqrt(v2) + 1e-8) - 0.1 * 0.01 * a1);
        // WeightDecay(0.5) → SGD(0.1): g = 2 + 0.5·3 = 3.5 → p1 = 2.65
        Check(new Chain(new WeightDecay(0.5), new Sgd(0.1)), 2.65, null);
        // Schedule: step decay ×0.5 every step → step 1 factor 1, step 2 factor 0.5: p2 = 2.8 − 0.05·1.8
        Check(
            new Chain(new Sgd(0.1), new ScaleBySchedule(new LearningRateSchedule.StepDecay(1, 0.5))),
            2.8,
            2.8 - 0.05 * 1.8
        );
    }

    static void Check(IRule rule, double first, double? second)
    {
        var ps = P(Mat.Row(3.0));
        var target = Mat.Row(1.0);
        var st = Functional.Optim.Optimizers.Init(rule, ps);
        Grads Grad(Params p) => new(p.Values.Map(m => m - target));
        (ps, st) = Functional.Optim.Optimizers.Update(rule, st, ps, Grad(ps));
        Assert.Equal(first, ps[0, "W"][0, 0], 12);
        if (second is null)
            return;
        (ps, st) = Functional.Optim.Optimizers.Update(rule, st, ps, Grad(ps));
        Assert.Equal(second.Value, ps[0, "W"][0, 0], 12);
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_left_unchanged()
    {
        var rule = new Sgd(0.1);
        var ps = new Params(P(Mat.Row(3.0)).Values.Add(new ParamKey(1, "b"), Mat.Row(7.0)));
        var st = Functional.Optim.Optimizers.Init(rule, ps);
        var (next, _) = Functional.Optim.Optimizers.Update(
            rule,
            st,
            ps,
            new Grads(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), Mat.Row(1.0)))
        );
        Assert.Same(ps[1, "b"], next[1, "b"]);
        Assert.Equal(2.9, next[0, "W"][0, 0], 12);
    }

    [Fact]
    public void Clipping_by_global_norm_scales_every_gradient_together()
    {
        var g = new Grads(
            LanguageExt
                .Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), Mat.Row(3.0))
                .Add(new ParamKey(0, "b"), Mat.Row(4.0))
        );
        Assert.Equal(5.0, ClipByGlobalNorm.Norm(g), 12);
        var c = new ClipByGlobalNorm(1.0).Clip(g);
        Assert.Equal(0.6, c[0, "W"][0, 0], 12);
        Assert.Equal(0.8, c[0, "b"][0, 0], 12);
        Assert.Same(g, new ClipByGlobalNorm(10.0).Clip(g));
    }

    [Fact]
    public void Schedules_are_pure_functions_of_the_step()
    {
        Assert.Equal(1.0, new LearningRateSchedule.Constant().Factor(123));
        Assert.Equal(0.25, new LearningRateSchedule.StepDecay(10, 0.5).Factor(21));
        Assert.Equal(1.0, new LearningRateSchedule.Cosine(100).Factor(1), 12);
        Assert.Equal(0.5, new LearningRateSchedule.Cosine(100).Factor(51), 12);
        Assert.Equal(0.1, new LearningRateSchedule.Cosine(100, 0.1).Factor(500), 12);
    }

    [Fact]
    public void A_state_from_another_rule_is_a_clear_error()
    {
        var ps = P(Mat.Row(1.0, 1.0, 1.0));
        var st = Functional.Optim.Optimizers.Init(new Sgd(), ps);
        var ex = Assert.Throws<ArgumentException>(() => Functional.Optim.Optimizers.Update(Adam.Dlfs(), st, ps, G(ps)));
        Assert.Contains("Adam", ex.Message);
    }

    public static TheoryData<string> StepScalarRules => ["adam", "adam-standard", "adamw", "adam-chain"];

    static IRule StepScalarRule(string name) =>
        name == "adam-chain"
            ? Chain.Of(new WeightDecay(0.01), Adam.Dlfs(0.05), new WeightDecay(0.001))
            : Functional.Optim.Optimizers.Parse(name, 0.05);

    /// <summary>
    /// The fold works Adam's bias corrections out once per step (the rule at the step) instead of per array: its
    /// parameters must be the bits of the rule itself applied to each array, and the rule fixed at one step must
    /// still be the plain rule at any other.
    /// </summary>
    [Theory]
    [MemberData(nameof(StepScalarRules))]
    public void The_rule_at_a_step_gives_the_bits_of_the_rule_itself(string name)
    {
        var rule = StepScalarRule(name);
        var key = new ParamKey(0, "W");
        var other = new ParamKey(1, "b");
        var ps = new Params(
            LanguageExt.Map<ParamKey, Tensor>.Empty.Add(key, Mat.Row(3.0, -1.0, 0.25)).Add(other, Mat.Row(0.5, 2.0))
        );
        var st = Functional.Optim.Optimizers.Init(rule, ps);
        var slots = st.Slots;
        var plain = ps.Values;
        for (var i = 0; i < 30; i++)
        {
            var gs = new Grads(ps.Values.Map(m => m * 1.7 - 0.3));
            (ps, st) = Functional.Optim.Optimizers.Update(rule, st, ps, gs);
            var step = i + 1L;
            var next = plain;
            foreach (var (k, p) in plain)
            {
                var g = p * 1.7 - 0.3;
                var (slot, updated) = rule.Update(slots[k], p, g, step);
                slots = slots.SetItem(k, slot);
                next = next.SetItem(k, updated);
            }
            plain = next;
            foreach (var k in new[] { key, other })
                Assert.Equal(Mat.Data(plain[k]), Mat.Data(ps[k]));
        }
        Assert.Equal(30, st.Step);

        var at = ((IStepScalars)rule).At(7);
        var (p0, g0) = (Mat.Row(3.0, -1.0, 0.25), Mat.Row(0.4, -0.2, 1.5));
        var s0 = rule.Init(p0);
        foreach (var step in new long[] { 7, 8, 1000 })
        {
            Assert.Equal(Mat.Data(rule.Update(s0, p0, g0, step).Param), Mat.Data(at.Update(s0, p0, g0, step).Param));
            Assert.Equal(Mat.Data(rule.Apply(s0, p0, g0, step).Delta), Mat.Data(at.Apply(s0, p0, g0, step).Delta));
        }
    }
}
