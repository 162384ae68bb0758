using System.Reflection;
using Functional.Core;
using Functional.Optim;
using LanguageExt;
using Xunit;
using static Functional.Optim.LearningRateSchedule;

namespace Functional.Tests.Optim;

/// <summary>
/// Every field of every optimizer and schedule record, changed through <c>with</c>, changes the behaviour exactly as
/// a freshly constructed record with that value does (no derived state cached in a record). The fields come from
/// reflection, so a new record or field is covered or the test fails.
/// </summary>
public class FieldTests
{
    /// <summary>One sample of each record, with values where every field matters.</summary>
    static readonly object[] Samples =
    [
        new Sgd(0.05),
        new Momentum(0.05, 0.8),
        new Nesterov(0.05, 0.8),
        new AdaGrad(0.3, 1e-3),
        new RmsProp(0.05, 0.9, 1e-3),
        new Adam(0.05, 0.8, 0.95, 1e-3, true),
        new Adam(0.05, 0.8, 0.95, 1e-3, false),
        new AdamW(0.05, 0.1, 0.8, 0.95, 1e-3),
        new WeightDecay(0.1),
        new ScaleBySchedule(new StepDecay(2, 0.5)),
        new ClipByGlobalNorm(0.5),
        new Chain(new WeightDecay(0.1), new Momentum(0.05)),
        new Constant(),
        new StepDecay(2, 0.5),
        new Cosine(4, 0.1),
        new Warmup(4),
        new Fixed(0.5),
    ];

    public static TheoryData<int, string> Fields()
    {
        var d = new TheoryData<int, string>();
        for (var i = 0; i < Samples.Length; i++)
            foreach (var p in RecordFields(Samples[i].GetType()))
                d.Add(i, p.Name);
        return d;
    }

    /// <summary>The settable (init) properties: a record's fields.</summary>
    static PropertyInfo[] RecordFields(Type t) =>
        [.. t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true })];

    [Fact]
    public void Every_public_rule_and_schedule_record_has_a_sample()
    {
        var types = typeof(IRule)
            .Assembly.GetExportedTypes()
            .Where(t =>
                !t.IsAbstract && (typeof(IRule).IsAssignableFrom(t) || typeof(LearningRateSchedule).IsAssignableFrom(t))
            );
        var sampled = Samples.Select(s => s.GetType()).ToHashSet();
        Assert.Empty(types.Where(t => !sampled.Contains(t)).Select(t => t.Name));
    }

    [Fact]
    public void Every_field_is_a_constructor_parameter()
    {
        foreach (var s in Samples)
        {
            var ctor = Ctor(s.GetType());
            var names = ctor.GetParameters().Select(p => p.Name).ToHashSet();
            Assert.All(RecordFields(s.GetType()), p => Assert.Contains(p.Name, names));
        }
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void A_field_changed_by_with_behaves_as_a_fresh_record_with_that_value(int sample, string field)
    {
        var original = Samples[sample];
        var type = original.GetType();
        var prop = type.GetProperty(field)!;
        var value = Change(prop.GetValue(original));
        var changed = With(original, prop, value);
        var ctor = Ctor(type);
        var fresh = ctor.Invoke([
            .. ctor.GetParameters()
                .Select(p => p.Name == field ? value : type.GetProperty(p.Name!)!.GetValue(original)),
        ]);
        var (b0, b1, b2) = (Behaviour(original), Behaviour(changed), Behaviour(fresh));
        Assert.Equal(b2, b1);
        Assert.NotEqual(b0, b1);
    }

    [Fact]
    public void AdamW_with_a_new_learning_rate_steps_at_that_rate()
    {
        var changed = new AdamW(0.001) with { LearningRate = 0.1 };
        Assert.Equal(Behaviour(new AdamW(0.1)), Behaviour(changed));
        Assert.NotEqual(Behaviour(new AdamW(0.001)), Behaviour(changed));
    }

    /// <summary>What <c>with</c> compiles to: the record's clone, then the init accessor.</summary>
    static object With(object record, PropertyInfo prop, object? value)
    {
        var clone = record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;
        prop.SetValue(clone, value);
        return clone;
    }

    static ConstructorInfo Ctor(Type t) =>
        t.GetConstructors().Single(c => !(c.GetParameters() is [var p] && p.ParameterType == t));

    /// <summary>Another value of a field's type, chosen so that the behaviour it drives differs.</summary>
    static object? Change(object? v) =>
        v switch
        {
            double d => d == 0 ? 0.25 : d * 0.5,
            long l => l + 1,
            bool b => !b,
            IRule => new Sgd(0.3),
            LearningRateSchedule => new Cosine(3),
            _ => throw new NotSupportedException($"no changed value for a field of type {v?.GetType().Name}"),
        };

    /// <summary>A schedule's factors over six steps, or the bits of four optimizer steps on two arrays.</summary>
    static string Behaviour(object o) =>
        o switch
        {
            LearningRateSchedule s => string.Join(",", Enumerable.Range(1, 6).Select(t => Bits(s.Factor(t)))),
            IRule r => RuleBits(r),
            _ => throw new NotSupportedException(o.GetType().Name),
        };

    static string RuleBits(IRule rule)
    {
        var target = Mat.Row(1.0, -2.0, 0.5, 4.0, -1.0);
        var ps = new Params(
            LanguageExt
                .Map<ParamKey, Tensor>.Empty.Add(new ParamKey(0, "W"), Mat.Row(3.0, 3.0, -3.0, 0.5, 2.0))
                .Add(new ParamKey(0, "b"), Mat.Row(-1.5, 2.5, 1.0, 0.0, 6.0))
        );
        var st = Optimizers.Init(rule, ps);
        for (var i = 0; i < 4; i++)
            (ps, st) = Optimizers.Update(rule, st, ps, new Grads(ps.Values.Map(m => (m - target) * 0.3)));
        var arrays = ps.Values.Values.Concat(st.Slots.Values.SelectMany(s => s.Buffers));
        return string.Join(",", arrays.SelectMany(m => Mat.Data(m)).Select(Bits));
    }

    static string Bits(double x) => BitConverter.DoubleToInt64Bits(x).ToString("X16");
}
