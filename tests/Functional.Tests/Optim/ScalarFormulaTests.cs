using Functional.Core;
using Functional.Optim;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Optim;

/// <summary>
/// Each rule's lane formula against its scalar expression, element by element, over arrays with a 1–3 element tail
/// and over one the workers split: the same IEEE operations in the same order, so the same bits.
/// </summary>
public class ScalarFormulaTests
{
    /// <summary>One step of a rule on one element: (state a, state b, p, g, step) → (a', b', p').</summary>
    delegate (double A, double B, double P) Scalar(double a, double b, double p, double g, long t);

    static readonly Dictionary<string, (IRule Rule, Scalar Step)> Table = new()
    {
        ["sgd"] = (new Sgd(0.05), (a, b, p, g, t) => (a, b, p - 0.05 * g)),
        ["momentum"] = (
            new Momentum(0.05, 0.8),
            (a, b, p, g, t) =>
            {
                var d = 0.8 * a + 0.05 * g;
                return (d, b, p - d);
            }
        ),
        ["nesterov"] = (
            new Nesterov(0.05, 0.8),
            (a, b, p, g, t) =>
            {
                var v = 0.8 * a - 0.05 * g;
                return (v, b, p - (-(0.8 * 0.8 * v) + (1 + 0.8) * 0.05 * g));
            }
        ),
        ["adagrad"] = (
            new AdaGrad(0.3, 1e-7),
            (a, b, p, g, t) =>
            {
                var h = a + g * g;
                return (h, b, p - 0.3 * g / (Math.Sqrt(h) + 1e-7));
            }
        ),
        ["rmsprop"] = (
            new RmsProp(0.05, 0.9, 1e-7),
            (a, b, p, g, t) =>
            {
                var h = 0.9 * a + (1 - 0.9) * g * g;
                return (h, b, p - 0.05 * g / (Math.Sqrt(h) + 1e-7));
            }
        ),
        ["adam"] = (
            Adam.Dlfs(0.05),
            (a, b, p, g, t) =>
            {
                var (m, v) = (a + (1 - 0.9) * (g - a), b + (1 - 0.999) * (g * g - b));
                var lrT = 0.05 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
                return (m, v, p - lrT * m / (Math.Sqrt(v) + 1e-7));
            }
        ),
        ["adam-standard"] = (Adam.Standard(0.05), (a, b, p, g, t) => AdamStandard(a, b, p, g, t, 0)),
        ["adamw"] = (new AdamW(0.05, 0.1), (a, b, p, g, t) => AdamStandard(a, b, p, g, t, 0.05 * 0.1)),
        ["decay→sgd"] = (
            Chain.Of(new WeightDecay(0.1), new Sgd(0.05)),
            (a, b, p, g, t) => (a, b, p - 0.05 * (g + p * 0.1))
        ),
        ["sgd→schedule"] = (
            Chain.Of(new Sgd(0.05), new ScaleBySchedule(new LearningRateSchedule.StepDecay(1, 0.5))),
            (a, b, p, g, t) => (a, b, p - 0.05 * g * Math.Pow(0.5, t - 1))
        ),
    };

    /// <summary>Standard Adam, then (AdamW) the decoupled decay: p − (delta + decay·p).</summary>
    static (double, double, double) AdamStandard(double a, double b, double p, double g, long t, double decay)
    {
        var (m, v) = (a + (1 - 0.9) * (g - a), b + (1 - 0.999) * (g * g - b));
        var (c1, c2) = (1 - Math.Pow(0.9, t), 1 - Math.Pow(0.999, t));
        var d = 0.05 * (m / c1) / (Math.Sqrt(v / c2) + 1e-8);
        return (m, v, decay == 0 ? p - d : p - (d + decay * p));
    }

    public static TheoryData<string, int, int> Cells()
    {
        var d = new TheoryData<string, int, int>();
        foreach (var name in Table.Keys)
        foreach (var (r, c) in new[] { (1, 1), (1, 6), (5, 7), (100, 101) })
            d.Add(name, r, c);
        return d;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Three_steps_equal_the_scalar_expression_bitwise(string name, int rows, int cols)
    {
        var (rule, scalar) = Table[name];
        var key = new ParamKey(0, "W");
        var p = Normal(1, rows, cols);
        var ps = new Params(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(key, p));
        var st = Optimizers.Init(rule, ps);
        var n = rows * cols;
        var (ep, ea, eb) = (Mat.Data(p).ToArray(), new double[n], new double[n]);
        for (var t = 1; t <= 3; t++)
        {
            var g = Normal((ulong)(10 + t), rows, cols);
            (ps, st) = Optimizers.Update(rule, st, ps, new Grads(LanguageExt.Map<ParamKey, Tensor>.Empty.Add(key, g)));
            var gd = Mat.Data(g);
            for (var i = 0; i < n; i++)
                (ea[i], eb[i], ep[i]) = scalar(ea[i], eb[i], ep[i], gd[i], t);
        }
        Assert.True(Mat.Data(ps[key]).AsSpan().SequenceEqual(ep), $"{name}: parameters differ");
        var buffers = st.Slots[key].Buffers.ToArray();
        if (buffers.Length > 0)
            Assert.True(Mat.Data(buffers[0]).AsSpan().SequenceEqual(ea), $"{name}: first state array differs");
        if (buffers.Length > 1)
            Assert.True(Mat.Data(buffers[1]).AsSpan().SequenceEqual(eb), $"{name}: second state array differs");
    }
}
