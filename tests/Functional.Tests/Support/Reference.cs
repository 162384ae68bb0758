using Functional.Core;
using Functional.Kernels;
using Functional.Layers;
using Functional.Models;
using Functional.Numerics;
using Functional.Optim;

namespace Functional.Tests.Support;

/// <summary>
/// The reference path: the layers, loss and training step written with MathNet's operators, Map and broadcast
/// matrices: the plain formulation that every fused kernel must reproduce bit for bit. It is kept here, not in the
/// library, as the oracle.
/// </summary>
public static class Reference
{
    public static Tensor AffineForward(Tensor w, Tensor b, Tensor x) => Mat.AddRow(Product(false, x, false, w), b);

    public static (Tensor DX, Tensor DW, Tensor DB) AffineBackward(Tensor w, Tensor x, Tensor dY) =>
        (Product(false, dY, true, w), Product(true, x, false, dY), Mat.ColumnSums(dY));

    /// <summary>
    /// op(a)·op(b) on the library's kernel, with the arguments MathNet hands a provider for <c>a * b</c>,
    /// <c>a.TransposeAndMultiply(b)</c> and <c>a.TransposeThisAndMultiply(b)</c>: the reference's products are
    /// the kernel's (whose order the kernel's own tests check), whatever MathNet's provider is.
    /// </summary>
    public static Tensor Product(bool ta, Tensor a, bool tb, Tensor b)
    {
        int m = ta ? a.ColumnCount : a.RowCount,
            k = ta ? a.RowCount : a.ColumnCount,
            n = tb ? b.RowCount : b.ColumnCount;
        var c = new double[m * n];
        Gemm.Multiply(
            ta,
            tb,
            m,
            n,
            k,
            1.0,
            Mat.Data(a),
            Math.Max(1, a.RowCount),
            Mat.Data(b),
            Math.Max(1, b.RowCount),
            0.0,
            c,
            Math.Max(1, m)
        );
        return Tensor.Wrap(m, n, c);
    }

    public static Tensor Relu(Tensor x) => x.Map(v => v > 0 ? v : 0.0);

    public static Tensor ReluBackward(Tensor y, Tensor dY) => dY.PointwiseMultiply(y.Map(v => v > 0 ? 1.0 : 0.0));

    public static Tensor Sigmoid(Tensor x) => x.Map(Elementary.Sigmoid);

    public static Tensor SigmoidBackward(Tensor y, Tensor dY) => dY.PointwiseMultiply(y.Map(v => v * (1.0 - v)));

    public static Tensor Tanh(Tensor x) => x.Map(Elementary.Tanh);

    public static Tensor TanhBackward(Tensor y, Tensor dY) => dY.PointwiseMultiply(y.Map(v => 1.0 - v * v));

    static Tensor BroadcastRow(Tensor row, int rows) => Tensor.Generate(rows, row.ColumnCount, (_, j) => row[0, j]);

    static Tensor ScaleColumns(Tensor x, Tensor row) => x.PointwiseMultiply(BroadcastRow(row, x.RowCount));

    static Tensor DivideColumns(Tensor x, Tensor row) => x.PointwiseDivide(BroadcastRow(row, x.RowCount));

    public sealed record BnCache(Tensor Xc, Tensor Xn, Tensor Std, Mode Mode);

    internal static (Tensor Y, BatchNormStats Stats, BnCache Cache) BatchNormForward(
        BatchNormConfig cfg,
        Tensor gamma,
        Tensor beta,
        BatchNormStats s,
        Tensor x,
        Mode mode
    )
    {
        (Tensor, BnCache) Normalize(Tensor mean, Tensor variance)
        {
            var xc = x - BroadcastRow(mean, x.RowCount);
            var std = variance.Map(v => Math.Sqrt(v + cfg.Epsilon));
            var xn = DivideColumns(xc, std);
            return (Mat.AddRow(ScaleColumns(xn, gamma), beta), new BnCache(xc, xn, std, mode));
        }
        if (mode == Mode.Eval)
        {
            var (ye, ce) = Normalize(s.RunningMean, s.RunningVar);
            return (ye, s, ce);
        }
        var mu = Mat.ColumnMeans(x);
        var xc0 = x - BroadcastRow(mu, x.RowCount);
        var variance = Mat.ColumnSums(xc0.PointwiseMultiply(xc0)).DivideLikeMathNet(x.RowCount);
        var n = x.RowCount;
        var runVar = cfg.UnbiasedRunningVar ? variance * (n / (n - 1.0)) : variance;
        var d = cfg.RunningDecay;
        var next = new BatchNormStats(s.RunningMean * d + mu * (1 - d), s.RunningVar * d + runVar * (1 - d));
        var (y, c) = Normalize(mu, variance);
        return (y, next, c);
    }

    public static (Tensor DX, Tensor DGamma, Tensor DBeta) BatchNormBackward(Tensor gamma, BnCache c, Tensor dY)
    {
        var dBeta = Mat.ColumnSums(dY);
        var dGamma = Mat.ColumnSums(c.Xn.PointwiseMultiply(dY));
        var dXn = ScaleColumns(dY, gamma);
        if (c.Mode == Mode.Eval)
            return (DivideColumns(dXn, c.Std), dGamma, dBeta);
        var n = dY.RowCount;
        var dXc = DivideColumns(dXn, c.Std);
        var dStd = -Mat.ColumnSums(dXn.PointwiseMultiply(c.Xc)).PointwiseDivide(c.Std.PointwiseMultiply(c.Std));
        var dVar = 0.5 * dStd.PointwiseDivide(c.Std);
        dXc += ScaleColumns(c.Xc, dVar) * (2.0 / n);
        var dMu = Mat.ColumnSums(dXc);
        return (dXc - BroadcastRow(dMu.DivideLikeMathNet(n), n), dGamma, dBeta);
    }

    public static (double Loss, Tensor DScores) SoftmaxCrossEntropy(Tensor scores, Tensor t) =>
        (Functions.SoftmaxCrossEntropy(scores, t), (Functions.Softmax(scores) - t).DivideLikeMathNet(scores.RowCount));

    public static (double Loss, Tensor DScores) MeanSquaredError(Tensor scores, Tensor t)
    {
        var diff = scores - t;
        var numel = diff.RowCount * (double)diff.ColumnCount;
        return (Mat.SumOfSquares(diff) / numel, diff * (2.0 / numel));
    }

    /// <summary>The reference training-step gradients of a network of Affine/BatchNorm/activation layers.</summary>
    public static (double Loss, Grads Grads, ModelState State) LossAndGrads(
        Functional.Models.Network net,
        Params ps,
        ModelState st,
        Tensor x,
        Tensor t
    )
    {
        var layers = net.Layers.ToArray();
        var caches = new object[layers.Length];
        var h = x;
        for (var i = 0; i < layers.Length; i++)
        {
            switch (layers[i])
            {
                case Affine:
                    caches[i] = h;
                    h = AffineForward(ps[i, "W"], ps[i, "b"], h);
                    break;
                case BatchNorm bn:
                {
                    var (y, s, c) = BatchNormForward(
                        bn.Config,
                        ps[i, "gamma"],
                        ps[i, "beta"],
                        new BatchNormStats(st[i, "mean"], st[i, "var"]),
                        h,
                        Mode.Train
                    );
                    st = st.SetItem(new ParamKey(i, "mean"), s.RunningMean)
                        .SetItem(new ParamKey(i, "var"), s.RunningVar);
                    caches[i] = c;
                    h = y;
                    break;
                }
                case Functional.Layers.Relu:
                    h = Relu(h);
                    caches[i] = h;
                    break;
                case Functional.Layers.Sigmoid:
                    h = Sigmoid(h);
                    caches[i] = h;
                    break;
                case Functional.Layers.Tanh:
                    h = Tanh(h);
                    caches[i] = h;
                    break;
                default:
                    throw new NotSupportedException(layers[i].GetType().Name);
            }
        }
        var (loss, d) = net.Loss is SoftmaxWithLoss ? SoftmaxCrossEntropy(h, t) : MeanSquaredError(h, t);
        var grads = LanguageExt.Map<ParamKey, Tensor>.Empty;
        for (var i = layers.Length - 1; i >= 0; i--)
        {
            switch (layers[i])
            {
                case Affine:
                {
                    var (dx, dw, db) = AffineBackward(ps[i, "W"], (Tensor)caches[i], d);
                    if (net.WeightDecay > 0)
                        dw = dw + ps[i, "W"] * net.WeightDecay;
                    grads = grads.Add(new ParamKey(i, "W"), dw).Add(new ParamKey(i, "b"), db);
                    d = dx;
                    break;
                }
                case BatchNorm:
                {
                    var (dx, dg, dbeta) = BatchNormBackward(ps[i, "gamma"], (BnCache)caches[i], d);
                    grads = grads.Add(new ParamKey(i, "gamma"), dg).Add(new ParamKey(i, "beta"), dbeta);
                    d = dx;
                    break;
                }
                case Functional.Layers.Relu:
                    d = ReluBackward((Tensor)caches[i], d);
                    break;
                case Functional.Layers.Sigmoid:
                    d = SigmoidBackward((Tensor)caches[i], d);
                    break;
                default:
                    d = TanhBackward((Tensor)caches[i], d);
                    break;
            }
        }
        return (loss + net.Penalty(ps), new Grads(grads), st);
    }

    /// <summary>The reference optimizer step: Apply, then <c>p − delta</c> with MathNet's operator, key by key.</summary>
    public static (Params Params, OptState State) Update(IRule rule, OptState st, Params ps, Grads gs)
    {
        var step = st.Step + 1;
        var values = ps.Values;
        var slots = st.Slots;
        foreach (var (key, g) in gs.Values)
        {
            var (next, delta) = rule.Apply(slots[key], values[key], g, step);
            values = values.SetItem(key, values[key] - delta);
            slots = slots.SetItem(key, next);
        }
        return (new Params(values), new OptState(step, slots));
    }

    /// <summary>Column-major gather, element by element.</summary>
    public static Tensor Rows(Tensor x, int[] index) =>
        Tensor.Generate(index.Length, x.ColumnCount, (i, j) => x[index[i], j]);
}
