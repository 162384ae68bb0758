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
        var (y, state, caches) = ForwardCore(ps, st, x, ctx);
        return new ForwardResult(y, state, toSeq(caches));
    }

    /// <summary>
    /// The forward fold as a loop over the layers: one cache per layer, in layer order. An Affine followed by an
    /// activation is computed together with it (bias and activation applied in place on each finished part of the
    /// product), so the pre-activation matrix is never materialised; the bits are those of the two layers apart.
    /// Those products come from <paramref name="work"/> when given (a training loop's <see cref="StepScratch"/>).
    /// </summary>
    internal (Matrix Y, ModelState State, LayerCache[] Caches) ForwardCore(
        Params ps,
        ModelState st,
        Matrix x,
        Ctx ctx,
        StepScratch? work = null
    )
    {
        if (x.ColumnCount != Inputs)
            throw Shape.ColumnsError(
                x,
                Inputs,
                Layers.IsEmpty ? "network input" : $"network input (layer 0, {Layers.Head.Describe()})"
            );
        var count = Layers.Count;
        var caches = new LayerCache[count];
        // A training loop's batch may still be owed to x (DeferredRows): a first Affine packs it from the codes
        // and writes x on the way; anything else gets x written first.
        var deferred = work?.TakeDeferred(x);
        if (deferred is not null && (Layers.IsEmpty || Layers.Head is not Affine))
        {
            deferred.Fill();
            deferred = null;
        }
        var h = x;
        var i = 0;
        foreach (var layer in Layers)
        {
            if (i > 0 && caches[i] is not null)
            {
                i++; // computed together with the Affine before it
                continue;
            }
            if (layer is Affine)
            {
                var w = ps[i, "W"];
                var b = ps[i, "b"];
                if (h.ColumnCount != w.RowCount)
                    throw Shape.ColumnsError(h, w.RowCount, $"layer {i} Affine ({w.RowCount}→{w.ColumnCount})");
                var next = i + 1 < count ? Layers[i + 1] : null;
                var act = next switch
                {
                    Relu => Affine.Activation.Relu,
                    Sigmoid => Affine.Activation.Sigmoid,
                    Tanh => Affine.Activation.Tanh,
                    _ => Affine.Activation.None,
                };
                caches[i] = new Affine.Cache(h);
                h = Affine.Linear(w, b, h, act, work, i == 0 ? deferred : null);
                if (act != Affine.Activation.None)
                    caches[i + 1] = act switch
                    {
                        Affine.Activation.Relu => new Relu.Cache(h),
                        Affine.Activation.Sigmoid => new Sigmoid.Cache(h),
                        _ => new Tanh.Cache(h),
                    };
            }
            else
            {
                var (yi, si, ci) = ForwardLayer(layer, i, ps, st, h, ctx);
                h = yi;
                st = si;
                caches[i] = ci;
            }
            i++;
        }
        return (h, st, caches);
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
                var stats =
                    st.BatchNorm.Find(i).IfNoneUnsafe((BatchNormStats?)null)
                    ?? throw new ArgumentException(
                        $"layer {i} BatchNorm: the model state has no running statistics for it; build it with Network.InitState()."
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
        var (dx, grads) = BackwardCore(ps, caches.ToArray(), dScores, inputGradient: true);
        return (dx!, grads);
    }

    /// <summary>
    /// The backward fold as a loop over the layers in reverse. With <paramref name="inputGradient"/> false the
    /// gradient with respect to the network input is not computed (nothing uses it in a training step): the first
    /// layer's dX product is skipped and DX is null. The Affine and activation gradients of the layer inputs come
    /// from <paramref name="work"/> and the Affine weight gradients from <paramref name="grads"/> when given (a
    /// training loop's <see cref="StepScratch"/>); everything else is fresh.
    /// </summary>
    internal (Matrix? DX, Grads Grads) BackwardCore(
        Params ps,
        LayerCache[] caches,
        Matrix dScores,
        bool inputGradient,
        StepScratch? work = null,
        StepScratch? grads = null
    )
    {
        Shape.Require(
            caches.Length == Layers.Count,
            $"Backward: expected {Layers.Count} caches (one per layer), got {caches.Length}."
        );
        var pairs = new (ParamKey, Matrix)[ParamCount()];
        var np = pairs.Length;
        Matrix? d = dScores;
        for (var i = Layers.Count - 1; i >= 0; i--)
        {
            var layer = Layers[i];
            var cache = caches[i];
            var needDx = inputGradient || i > 0;
            switch (layer)
            {
                case Affine:
                {
                    var c = (Affine.Cache)cache;
                    var w = ps[i, "W"];
                    var relu = ReluFusedInto(i, inputGradient);
                    var (dw, dx, db) = Affine.Gradients(
                        c.X,
                        w,
                        d!,
                        needDx,
                        work,
                        grads,
                        relu ? ((Relu.Cache)caches[i - 1]).Y : null
                    );
                    if (WeightDecay > 0)
                        AddScaled(dw, w, WeightDecay);
                    pairs[--np] = (new ParamKey(i, "b"), db);
                    pairs[--np] = (new ParamKey(i, "W"), dw);
                    d = dx;
                    break;
                }
                case BatchNorm:
                {
                    var (dx, gi) = BatchNorm.Backward(
                        new BatchNorm.P(ps[i, "gamma"], ps[i, "beta"]),
                        (BatchNorm.Cache)cache,
                        d!
                    );
                    pairs[--np] = (new ParamKey(i, "gamma"), gi.DGamma);
                    pairs[--np] = (new ParamKey(i, "beta"), gi.DBeta);
                    d = dx;
                    break;
                }
                case Relu:
                    d =
                        ReluFusedInto(i + 1, inputGradient) ? d // already applied by the Affine after it
                        : needDx ? Relu.Backward((Relu.Cache)cache, d!, work)
                        : null;
                    break;
                case Sigmoid:
                    d = needDx ? Sigmoid.Backward((Sigmoid.Cache)cache, d!, work) : null;
                    break;
                case Tanh:
                    d = needDx ? Tanh.Backward((Tanh.Cache)cache, d!, work) : null;
                    break;
                case Dropout:
                    d = needDx ? Dropout.Backward((Dropout.Cache)cache, d!) : null;
                    break;
                default:
                    throw new NotSupportedException($"layer {i}: {layer.GetType().Name} has no backward rule");
            }
        }
        return (d, new Grads(new Map<ParamKey, Matrix>(pairs)));
    }

    /// <summary>
    /// Whether the backward of the Affine at <paramref name="i"/> also applies the ReLU just before it (to dX as it
    /// is computed): when that ReLU's own input gradient is wanted, i.e. it is not the first layer of a step that
    /// skips the gradient of the network input.
    /// </summary>
    bool ReluFusedInto(int i, bool inputGradient) =>
        i < Layers.Count && Layers[i] is Affine && i > (inputGradient ? 0 : 1) && Layers[i - 1] is Relu;

    /// <summary>Number of parameter arrays (two per Affine and per BatchNorm).</summary>
    int ParamCount()
    {
        var n = 0;
        foreach (var l in Layers)
            if (l is Affine or BatchNorm)
                n += 2;
        return n;
    }

    /// <summary>dw ← dw + w·λ on a fresh gradient (the reference's <c>DW + W·λ</c>, element by element).</summary>
    static void AddScaled(Matrix dw, Matrix w, double lambda)
    {
        var g = Mat.Data(dw);
        var p = Mat.Data(w);
        for (var k = 0; k < g.Length; k++)
            g[k] += lambda * p[k];
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
    /// <remarks>
    /// The training step's path: forward, the loss and its gradient fused in one pass, and backward without the
    /// unused gradient of the network input. Every returned matrix is fresh; the inputs are not modified.
    /// </remarks>
    public StepResult LossAndGrads(Params ps, ModelState st, Matrix x, Matrix t, Ctx ctx) =>
        LossAndGrads(ps, st, x, t, ctx, null, null);

    /// <summary>
    /// <see cref="LossAndGrads(Params, ModelState, Matrix, Matrix, Ctx)"/> with the intermediates from
    /// <paramref name="work"/> and the weight gradients from <paramref name="grads"/> when given: then the scores
    /// and those gradients live only until the scratch is reset (the training loop's use).
    /// </summary>
    internal StepResult LossAndGrads(
        Params ps,
        ModelState st,
        Matrix x,
        Matrix t,
        Ctx ctx,
        StepScratch? work,
        StepScratch? grads
    )
    {
        var (scores, state, caches) = ForwardCore(ps, st, x, ctx, work);
        var (loss, dScores) = Loss.LossAndGradient(scores, t);
        var (_, gs) = BackwardCore(ps, caches, dScores, inputGradient: false, work, grads);
        return new StepResult(loss + Penalty(ps), gs, state, scores);
    }

    /// <summary>The loss of a batch (with weight decay) in the given mode; the model state is not advanced.</summary>
    public double LossOf(Params ps, ModelState st, Matrix x, Matrix t, Ctx ctx) =>
        Loss.Forward(Forward(ps, st, x, ctx).Scores, t).Loss + Penalty(ps);

    /// <summary>Outputs in evaluation mode (probabilities for classifiers), computed in chunks of rows.</summary>
    public Matrix Predict(Params ps, ModelState st, Matrix x, int chunk = 1000)
    {
        if (chunk <= 0)
            throw new ArgumentOutOfRangeException(
                nameof(chunk),
                chunk,
                "Predict: chunk must be a positive row count such as 1000."
            );
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
