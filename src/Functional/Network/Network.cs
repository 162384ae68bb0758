using Functional.Core;
using Functional.Layers;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Functional.Network;

/// <summary>
/// A chain of layers followed by a loss layer. Forward is a fold over the layers that threads the batch and the
/// model state and collects caches; backward is a fold over the caches in reverse that collects gradients.
/// Parameter keys are (layer index, name): "0.W", "0.b", "1.gamma", "1.beta".
/// </summary>
public sealed record Network(int Inputs, Seq<Layer> Layers, LossLayer Loss, double WeightDecay = 0.0)
{
    public int Outputs => Layers.Fold(Inputs, (n, l) => l.Outputs(n));

    public Seq<(Layer Layer, int Index)> Indexed => toSeq(Layers.Select((l, i) => (l, i)));

    /// <summary>Fresh parameters: layer i draws from <c>key.FoldIn(i)</c>, so adding a layer never shifts the others.</summary>
    public Params Init(Key key)
    {
        _ = Outputs; // validates the chain of shapes
        return new Params(
            Indexed.Fold(
                Map<ParamKey, Matrix>(),
                (m, li) =>
                    li.Layer switch
                    {
                        Affine a => a.InitParams(key.FoldIn(li.Index)) is var p
                            ? m.Add(new ParamKey(li.Index, "W"), p.W).Add(new ParamKey(li.Index, "b"), p.B)
                            : m,
                        BatchNorm bn => bn.InitParams() is var q
                            ? m.Add(new ParamKey(li.Index, "gamma"), q.Gamma)
                                .Add(new ParamKey(li.Index, "beta"), q.Beta)
                            : m,
                        _ => m,
                    }
            )
        );
    }

    public ModelState InitState() =>
        new(
            Indexed.Fold(
                Map<int, BatchNormStats>(),
                (m, li) => li.Layer is BatchNorm bn ? m.Add(li.Index, bn.InitStats()) : m
            )
        );

    public sealed record ForwardResult(Matrix Scores, ModelState State, Seq<LayerCache> Caches);

    public ForwardResult Forward(Params ps, ModelState st, Matrix x, Ctx ctx)
    {
        Shape.RequireColumns(
            x,
            Inputs,
            Layers.IsEmpty ? "network input" : $"network input (layer 0, {Layers.Head.Describe()})"
        );
        var (y, state, caches) = Indexed.Fold(
            (x, st, Seq<LayerCache>()),
            (acc, li) =>
            {
                var (h, s, cs) = acc;
                var (yi, si, ci) = ForwardLayer(li.Layer, li.Index, ps, s, h, ctx);
                return (yi, si, cs.Add(ci));
            }
        );
        return new ForwardResult(y, state, caches);
    }

    (Matrix Y, ModelState State, LayerCache Cache) ForwardLayer(
        Layer layer,
        int i,
        Params ps,
        ModelState st,
        Matrix x,
        Ctx ctx
    )
    {
        switch (layer)
        {
            case Affine a:
            {
                var (y, c) = Affine.Forward(new Affine.P(ps[i, "W"], ps[i, "b"]), x, $"layer {i} Affine");
                return (y, st, c);
            }
            case BatchNorm bn:
            {
                var stats = st
                    .BatchNorm.Find(i)
                    .IfNone(() =>
                        throw new ArgumentException(
                            $"layer {i} BatchNorm: the model state has no running statistics for it; build it with Network.InitState()."
                        )
                    );
                var (y, next, c) = BatchNorm.Forward(
                    bn,
                    new BatchNorm.P(ps[i, "gamma"], ps[i, "beta"]),
                    stats,
                    x,
                    ctx.Mode
                );
                return (y, ReferenceEquals(next, stats) ? st : new ModelState(st.BatchNorm.SetItem(i, next)), c);
            }
            case Relu:
            {
                var (y, c) = Relu.Forward(x);
                return (y, st, c);
            }
            case Sigmoid:
            {
                var (y, c) = Sigmoid.Forward(x);
                return (y, st, c);
            }
            case Tanh:
            {
                var (y, c) = Tanh.Forward(x);
                return (y, st, c);
            }
            case Dropout d:
            {
                var key =
                    ctx.Mode == Mode.Train
                        ? ctx.Key.IfNone(() =>
                            throw new ArgumentException(
                                $"layer {i} Dropout in training mode needs a random key: pass Ctx.Train(key), or use Ctx.Eval."
                            )
                        )
                        : default;
                var (y, c) = Dropout.Forward(d, x, ctx, key.FoldIn(i));
                return (y, st, c);
            }
            default:
                throw new NotSupportedException($"layer {i}: {layer.GetType().Name} has no forward rule");
        }
    }

    /// <summary>Backward from the gradient of the scores; returns the input gradient and every parameter gradient.</summary>
    public (Matrix DX, Grads Grads) Backward(Params ps, Seq<LayerCache> caches, Matrix dScores)
    {
        var (dx, grads) = Indexed
            .Zip(caches)
            .Rev()
            .Fold(
                (dScores, Map<ParamKey, Matrix>()),
                (acc, lc) =>
                {
                    var (d, g) = acc;
                    var ((layer, i), cache) = lc;
                    switch (layer)
                    {
                        case Affine:
                        {
                            var (dx, gi) = Affine.Backward(
                                new Affine.P(ps[i, "W"], ps[i, "b"]),
                                (Affine.Cache)cache,
                                d
                            );
                            var dW = WeightDecay > 0 ? gi.DW + ps[i, "W"] * WeightDecay : gi.DW;
                            return (dx, g.Add(new ParamKey(i, "W"), dW).Add(new ParamKey(i, "b"), gi.DB));
                        }
                        case BatchNorm:
                        {
                            var (dx, gi) = BatchNorm.Backward(
                                new BatchNorm.P(ps[i, "gamma"], ps[i, "beta"]),
                                (BatchNorm.Cache)cache,
                                d
                            );
                            return (
                                dx,
                                g.Add(new ParamKey(i, "gamma"), gi.DGamma).Add(new ParamKey(i, "beta"), gi.DBeta)
                            );
                        }
                        case Relu:
                            return (Relu.Backward((Relu.Cache)cache, d), g);
                        case Sigmoid:
                            return (Sigmoid.Backward((Sigmoid.Cache)cache, d), g);
                        case Tanh:
                            return (Tanh.Backward((Tanh.Cache)cache, d), g);
                        case Dropout:
                            return (Dropout.Backward((Dropout.Cache)cache, d), g);
                        default:
                            throw new NotSupportedException($"layer {i}: {layer.GetType().Name} has no backward rule");
                    }
                }
            );
        return (dx, new Grads(grads));
    }

    /// <summary>0.5·λ·Σ‖W‖² over the Affine weights (the book's weight decay), or 0.</summary>
    public double Penalty(Params ps) =>
        WeightDecay <= 0
            ? 0.0
            : 0.5
                * WeightDecay
                * Indexed.Fold(0.0, (s, li) => li.Layer is Affine ? s + Mat.SumOfSquares(ps[li.Index, "W"]) : s);

    public sealed record StepResult(double Loss, Grads Grads, ModelState State, Matrix Scores);

    /// <summary>Loss (with weight decay), gradients and the new model state for one batch.</summary>
    public StepResult LossAndGrads(Params ps, ModelState st, Matrix x, Matrix t, Ctx ctx)
    {
        var f = Forward(ps, st, x, ctx);
        var (loss, lossCache) = Loss.Forward(f.Scores, t);
        var (_, grads) = Backward(ps, f.Caches, Loss.Backward(lossCache));
        return new StepResult(loss + Penalty(ps), grads, f.State, f.Scores);
    }

    /// <summary>The loss of a batch (with weight decay) in the given mode; the model state is not advanced.</summary>
    public double LossOf(Params ps, ModelState st, Matrix x, Matrix t, Ctx ctx) =>
        Loss.Forward(Forward(ps, st, x, ctx).Scores, t).Loss + Penalty(ps);

    /// <summary>Outputs in evaluation mode (probabilities for classifiers), computed in chunks of rows.</summary>
    public Matrix Predict(Params ps, ModelState st, Matrix x, int chunk = 1000)
    {
        if (x.RowCount <= chunk)
            return Loss.Output(Forward(ps, st, x, Ctx.Eval).Scores);
        var parts = Enumerable
            .Range(0, (x.RowCount + chunk - 1) / chunk)
            .Select(c =>
                Loss.Output(
                    Forward(
                        ps,
                        st,
                        Mat.RowRange(x, c * chunk, Math.Min(chunk, x.RowCount - c * chunk)),
                        Ctx.Eval
                    ).Scores
                )
            );
        return Mat.StackRows(parts.ToArray());
    }

    /// <summary>Fraction of rows whose arg-max output equals the label (evaluation mode).</summary>
    public double Accuracy(Params ps, ModelState st, Matrix x, ReadOnlySpan<int> labels, int chunk = 1000)
    {
        Shape.Require(labels.Length == x.RowCount, $"Accuracy: expected {x.RowCount} labels, got {labels.Length}.");
        var pred = Mat.ArgMaxRows(Predict(ps, st, x, chunk));
        var correct = 0;
        for (var i = 0; i < pred.Length; i++)
            if (pred[i] == labels[i])
                correct++;
        return correct / (double)Math.Max(1, labels.Length);
    }

    /// <summary>A plain-text summary: one line per layer with its output shape and parameter count.</summary>
    public string Summary()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(System.FormattableString.Invariant($"{"#", -3} {"layer", -44} {"output", -10} {"params", 10}"));
        var n = Inputs;
        var total = 0L;
        foreach (var (layer, i) in Indexed)
        {
            n = layer.Outputs(n);
            var count = layer switch
            {
                Affine a => (long)a.In * a.Out + a.Out,
                BatchNorm b => 2L * b.Features,
                _ => 0L,
            };
            total += count;
            sb.AppendLine(
                System.FormattableString.Invariant($"{i, -3} {layer.Describe(), -44} {"n×" + n, -10} {count, 10:N0}")
            );
        }
        sb.AppendLine(System.FormattableString.Invariant($"    {Loss.Describe(), -44} {"", -10} {"", 10}"));
        sb.Append(System.FormattableString.Invariant($"    total trainable parameters: {total:N0}"));
        if (WeightDecay > 0)
            sb.Append(System.FormattableString.Invariant($"; L2 weight decay λ = {WeightDecay:R}"));
        return sb.ToString();
    }
}
