using Functional.Core;
using Functional.Layers;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Functional.Models;

/// <summary>
/// A chain of layers followed by a loss layer. Forward is a fold over the layers that threads the batch and the
/// model state and collects caches; backward is a fold over the caches in reverse that collects gradients.
/// Parameter keys are (layer index, name): "0.W", "0.b", "1.gamma", "1.beta". Which layers run fused is planned
/// once from the layer list when the network is built (<see cref="StagePlan"/>); the network names no layer type.
/// </summary>
/// <param name="Inputs">Features per input sample.</param>
/// <param name="Layers">The layers, first to last.</param>
/// <param name="Loss">The loss on the last layer's output (the scores).</param>
/// <param name="WeightDecay">L2 weight decay λ on each layer's <see cref="Layer.DecayedParams"/> (0: none).</param>
public sealed record Network(int Inputs, Seq<Layer> Layers, LossLayer Loss, double WeightDecay = 0.0)
{
    readonly SampleShape _input = SampleShape.Features(Inputs);
    readonly Seq<Layer> _layers = Layers;
    readonly StagePlan _plan = StagePlan.Of(SampleShape.Features(Inputs), Layers);

    /// <summary>A network on input samples of shape <paramref name="input"/> (a feature vector or an image).</summary>
    public Network(SampleShape input, Seq<Layer> layers, LossLayer loss, double weightDecay = 0.0)
        : this(input.Size, layers, loss, weightDecay)
    {
        _input = input;
        _plan = StagePlan.Of(input, layers);
    }

    /// <summary>Values per input sample (the columns of a batch).</summary>
    public int Inputs
    {
        get => _input.Size;
        init
        {
            _input = SampleShape.Features(value);
            _plan = StagePlan.Of(_input, _layers);
        }
    }

    /// <summary>The layers, first to last.</summary>
    public Seq<Layer> Layers
    {
        get => _layers;
        init
        {
            _layers = value;
            _plan = StagePlan.Of(InputShape, value);
        }
    }

    /// <summary>The shape of one input sample.</summary>
    public SampleShape InputShape
    {
        get => _input;
        init
        {
            _input = value;
            _plan = StagePlan.Of(value, _layers);
        }
    }

    /// <summary>The shape of one output sample (checked along the chain).</summary>
    public SampleShape OutputShape => Layers.Fold(InputShape, (n, l) => l.OutputShape(n));

    /// <summary>Number of outputs per sample (checked along the chain).</summary>
    public int Outputs => OutputShape.Size;

    /// <summary>How the layers run (fused stages), planned from <see cref="InputShape"/> and <see cref="Layers"/>.</summary>
    internal StagePlan Plan => _plan;

    /// <summary>Each layer with its index.</summary>
    public Seq<(Layer Layer, int Index)> Indexed => toSeq(Layers.Select((l, i) => (l, i)));

    /// <summary>Same inputs, layers, loss and weight decay (the plan follows from them).</summary>
    public bool Equals(Network? other) =>
        other is not null
        && InputShape == other.InputShape
        && Layers.Equals(other.Layers)
        && Loss.Equals(other.Loss)
        && WeightDecay.Equals(other.WeightDecay);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InputShape, Layers, Loss, WeightDecay);

    /// <summary>Fresh parameters: layer i draws from <c>key.FoldIn(i)</c>, so adding a layer never shifts the others.</summary>
    public Params Init(Key key)
    {
        _ = Outputs; // validates the chain of shapes
        var m = Map<ParamKey, Tensor>();
        var shape = InputShape;
        foreach (var (layer, i) in Indexed)
        {
            foreach (var a in layer.InitParams(key.FoldIn(i), shape))
                m = m.Add(new ParamKey(i, a.Name), a.Value);
            shape = layer.OutputShape(shape);
        }
        return new Params(m);
    }

    /// <summary>The initial model state: each layer's <see cref="Layer.InitState"/> under its index.</summary>
    public ModelState InitState()
    {
        var m = Map<ParamKey, Tensor>();
        var shape = InputShape;
        foreach (var (layer, i) in Indexed)
        {
            foreach (var a in layer.InitState(shape))
                m = m.Add(new ParamKey(i, a.Name), a.Value);
            shape = layer.OutputShape(shape);
        }
        return new ModelState(m);
    }

    /// <summary>The scores of a forward pass, the new model state and one cache per layer.</summary>
    /// <param name="Scores">The last layer's output.</param>
    /// <param name="State">The model state after the pass (unchanged in evaluation mode).</param>
    /// <param name="Caches">What <see cref="Backward"/> needs, one per layer.</param>
    public sealed record ForwardResult(Tensor Scores, ModelState State, Seq<LayerCache> Caches);

    /// <summary>The forward fold over the layers (every returned matrix fresh; nothing given is modified).</summary>
    public ForwardResult Forward(Params ps, ModelState st, Tensor x, Ctx ctx)
    {
        var (y, state, caches) = ForwardCore(ps, st, x, ctx, StepBuffers.None);
        return new ForwardResult(y, state, toSeq(caches));
    }

    /// <summary>
    /// The scores alone, for evaluation: the forward of the training step's plan, which no backward with an input
    /// gradient follows, so a first convolution, its ReLU and a tiling max-pool run as one stage that writes neither
    /// col nor the convolution's output (at 1000 Fashion-MNIST images, 250 MB fewer). The same bits as
    /// <see cref="Forward"/>.
    /// </summary>
    internal Tensor Scores(Params ps, ModelState st, Tensor x, Ctx ctx) =>
        ForwardCore(ps, st, x, ctx, StepBuffers.None, training: true).Y;

    /// <summary>
    /// The forward fold as a loop over the plan's stages: one cache per layer, in layer order. A fused stage computes
    /// two layers at once (an Affine and the activation after it: bias and activation applied to each finished part
    /// of the product), with the bits of the two apart. Outputs come from <paramref name="b"/>'s scratch when given,
    /// and its deferred batch goes to a first layer that can read it.
    /// </summary>
    internal (Tensor Y, ModelState State, LayerCache[] Caches) ForwardCore(
        Params ps,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b,
        bool training = false
    )
    {
        if (x.ColumnCount != Inputs)
            throw Shape.ColumnsError(
                x,
                Inputs,
                Layers.IsEmpty ? "network input" : $"network input (layer 0, {Layers.Head.Describe()})"
            );
        var caches = new LayerCache[Layers.Count];
        // A training loop's batch may still be owed to x (DeferredRows): a first layer that reads it packs it and
        // writes x on the way; anything else gets x written first.
        if (b.Deferred is { } deferred && (Layers.IsEmpty || !Layers.Head.ReadsDeferredBatch))
        {
            deferred.Fill();
            b = b.WithoutBatch;
        }
        var h = x;
        foreach (var s in training ? _plan.TrainingForward : _plan.Forward)
        {
            var p = new LayerParams(ps, s.Index);
            if (s.Image is { } image && h.Rank == 2)
                h = h.Reshape(h.RowCount, image.Channels, image.Height, image.Width); // a view, no copy
            if (s.Pooled is { } pooled)
                (h, caches[s.Index], caches[s.Index + 1], caches[s.Index + 2]) = pooled.ForwardPooled(
                    p,
                    h,
                    s.Next!,
                    Layers[s.Index + 2],
                    b
                );
            else if (s.Fused is { } f)
                (h, caches[s.Index], caches[s.Index + 1]) = f.ForwardFused(p, h, s.Next!, b);
            else
                (h, caches[s.Index], st) = s.Layer.Run(p, st, h, ctx, b);
            b = b.WithoutBatch;
        }
        if (h.Rank != 2)
            h = h.Reshape(h.RowCount, h.ColumnCount); // the scores are a batch of vectors, whatever the last layer
        return (h, st, caches);
    }

    /// <summary>Backward from the gradient of the scores; returns the input gradient (a batch of rows, n×<see cref="Inputs"/>,
    /// as the scores are) and every parameter gradient.</summary>
    public (Tensor DX, Grads Grads) Backward(Params ps, Seq<LayerCache> caches, Tensor dScores)
    {
        var (dx, grads) = BackwardCore(ps, caches.ToArray(), dScores, inputGradient: true, StepBuffers.None);
        return (dx!.Rank == 2 ? dx : dx.Reshape(dx.RowCount, dx.ColumnCount), grads);
    }

    /// <summary>
    /// The backward fold as a loop over the layers in reverse, as the plan says (a layer's own backward, or one that
    /// applies the layer before it as well, or nothing for a layer already applied). With
    /// <paramref name="inputGradient"/> false the gradient with respect to the network input is not computed
    /// (nothing uses it in a training step): the first layer's dX is skipped and DX is null. Gradients of the layer
    /// inputs and weights come from <paramref name="b"/>'s scratch when given; everything else is fresh.
    /// </summary>
    internal (Tensor? DX, Grads Grads) BackwardCore(
        Params ps,
        LayerCache[] caches,
        Tensor dScores,
        bool inputGradient,
        StepBuffers b
    )
    {
        Shape.Require(
            caches.Length == Layers.Count,
            $"Backward: expected {Layers.Count} caches (one per layer), got {caches.Length}."
        );
        if (_plan.ParamCount < 0)
            _ = Outputs; // raises the shape error
        var pairs = new (ParamKey, Tensor)[_plan.ParamCount];
        var sink = new GradSink(pairs);
        var steps = inputGradient ? _plan.WithInput : _plan.WithoutInput;
        Tensor? d = dScores;
        var listed = default(Functional.Kernels.Gemm.SparseColumns); // from a ListsForBefore step to its FromListed
        for (var i = Layers.Count - 1; i >= 0; i--)
        {
            var layer = Layers[i];
            var p = new LayerParams(ps, i);
            var end = sink.Next;
            switch (steps[i])
            {
                case StagePlan.Back.Skip:
                    break;
                case StagePlan.Back.FusedWithPrevious:
                    d = ((IFusingLayer)layer).BackwardFused(p, caches[i], d!, caches[i - 1], b, ref sink);
                    break;
                case StagePlan.Back.ListsForBefore:
                    listed = ((IListedGradientSource)layer).ListedGradient(p, caches[i], d!, b);
                    d = null;
                    break;
                case StagePlan.Back.FromListed:
                    ((IListedGradientSink)layer).BackwardFromListed(p, caches[i], listed, b, ref sink);
                    break;
                default:
                    d = layer.RunBackward(p, caches[i], d!, inputGradient || i > 0, b, ref sink);
                    break;
            }
            if (WeightDecay > 0)
            {
                var decayed = layer.DecayedParams;
                for (var j = 0; j < decayed.Count; j++)
                for (var k = sink.Next; k < end; k++)
                    if (pairs[k].Item1.Name == decayed[j])
                        AddScaled(pairs[k].Item2, p[decayed[j]], WeightDecay);
            }
        }
        Shape.Require(
            sink.Next == 0,
            $"Backward: the layers returned {pairs.Length - sink.Next} parameter gradients, their ParamShapes declare {pairs.Length}."
        );
        return (d, sink.ToGrads());
    }

    /// <summary>dw ← dw + w·λ on a fresh gradient (the reference's <c>DW + W·λ</c>, element by element).</summary>
    static void AddScaled(Tensor dw, Tensor w, double lambda)
    {
        var g = Mat.Data(dw);
        var p = Mat.Data(w);
        for (var k = 0; k < g.Length; k++)
            g[k] += lambda * p[k];
    }

    /// <summary>0.5·λ·Σ‖W‖² over the decayed parameters (the Affine weights: the book's weight decay), or 0.</summary>
    public double Penalty(Params ps)
    {
        if (WeightDecay <= 0)
            return 0.0;
        var sum = 0.0;
        for (var i = 0; i < Layers.Count; i++)
        {
            var decayed = Layers[i].DecayedParams;
            for (var j = 0; j < decayed.Count; j++)
                sum += Mat.SumOfSquares(ps[i, decayed[j]]);
        }
        return 0.5 * WeightDecay * sum;
    }

    /// <summary>Loss (with weight decay), gradients and the new model state for one batch.</summary>
    /// <remarks>
    /// The training step's path: forward, the loss and its gradient fused in one pass, and backward without the
    /// unused gradient of the network input. Every returned matrix is fresh; the inputs are not modified.
    /// </remarks>
    public BatchGradients LossAndGrads(Params ps, ModelState st, Tensor x, Tensor t, Ctx ctx) =>
        LossAndGrads(ps, st, x, t, ctx, null, null);

    /// <summary>
    /// <see cref="LossAndGrads(Params, ModelState, Tensor, Tensor, Ctx)"/> with the intermediates from
    /// <paramref name="work"/> and the weight gradients from <paramref name="grads"/> when given: then the scores
    /// and those gradients live only until the scratch is reset (the training loop's use). A network with a layer
    /// that does not take the loop's buffers runs on fresh arrays and a fresh copy of the batch.
    /// </summary>
    internal BatchGradients LossAndGrads(
        Params ps,
        ModelState st,
        Tensor x,
        Tensor t,
        Ctx ctx,
        StepScratch? work,
        StepScratch? grads
    )
    {
        var b = new StepBuffers(work, grads, work?.TakeDeferred(x));
        if (!_plan.TakesBuffers && work is not null)
        {
            b.Deferred?.Fill();
            b = StepBuffers.None;
            x = x.Detached(); // the layer may keep its input; the scratch is rewritten next step
        }
        var (scores, state, caches) = ForwardCore(ps, st, x, ctx, b, training: true);
        var (loss, dScores) = Loss.LossAndGradient(scores, t);
        var (_, gs) = BackwardCore(ps, caches, dScores, inputGradient: false, b);
        return new BatchGradients(loss + Penalty(ps), gs, state, scores);
    }

    /// <summary>The loss of a batch (with weight decay) in the given mode; the model state is not advanced.</summary>
    public double LossOf(Params ps, ModelState st, Tensor x, Tensor t, Ctx ctx) =>
        Loss.Forward(Forward(ps, st, x, ctx).Scores, t).Loss + Penalty(ps);

    /// <summary>The outputs for one sample (class probabilities for a classifier), in evaluation mode.</summary>
    /// <param name="ps">The parameters.</param>
    /// <param name="st">The running statistics (BatchNorm).</param>
    /// <param name="sample">The sample's <see cref="Inputs"/> features.</param>
    public double[] Predict(Params ps, ModelState st, ReadOnlySpan<double> sample) =>
        Predict(ps, st, OneSample(sample)).RowValues(0);

    /// <summary>The most likely class of one sample (the index of its largest output).</summary>
    public int Classify(Params ps, ModelState st, ReadOnlySpan<double> sample) =>
        Mat.ArgMaxRows(Predict(ps, st, OneSample(sample)))[0];

    Tensor OneSample(ReadOnlySpan<double> sample) =>
        sample.Length == Inputs
            ? Tensor.Row(sample)
            : throw new ArgumentException(
                $"Predict: the network takes {Inputs} features per sample, got {sample.Length}",
                nameof(sample)
            );

    /// <summary>Rows per forward pass when evaluating or predicting, unless the caller picks another: the fastest of
    /// 100–1000 for SimpleConvNet and TwoLayerNet on Fashion-MNIST. The results do not depend on it.</summary>
    public const int EvaluationChunk = 200;

    /// <summary>Outputs in evaluation mode (probabilities for classifiers), computed in chunks of rows (each row's
    /// output does not depend on the chunk).</summary>
    public Tensor Predict(Params ps, ModelState st, Tensor x, int chunk = EvaluationChunk)
    {
        if (chunk <= 0)
            throw new ArgumentOutOfRangeException(
                nameof(chunk),
                chunk,
                "Predict: chunk must be a positive row count such as 200."
            );
        if (x.RowCount <= chunk)
            return Loss.Output(Scores(ps, st, x, Ctx.Eval));
        var parts = Enumerable
            .Range(0, (x.RowCount + chunk - 1) / chunk)
            .Select(c =>
                Loss.Output(
                    Scores(ps, st, Mat.RowRange(x, c * chunk, Math.Min(chunk, x.RowCount - c * chunk)), Ctx.Eval)
                )
            );
        return Mat.StackRows(parts.ToArray());
    }

    /// <summary>Fraction of rows whose arg-max output equals the label (evaluation mode).</summary>
    public double Accuracy(Params ps, ModelState st, Tensor x, ReadOnlySpan<int> labels, int chunk = EvaluationChunk)
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
        var n = InputShape;
        var total = 0L;
        foreach (var (layer, i) in Indexed)
        {
            var count = layer.ParamShapes(n).Sum(a => a.Size);
            n = layer.OutputShape(n);
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

/// <summary>The loss of one batch, its parameter gradients, the new model state and the scores.</summary>
/// <param name="Loss">The batch's loss plus the weight-decay penalty.</param>
/// <param name="Grads">The gradient of every parameter array.</param>
/// <param name="State">The model state after the forward pass.</param>
/// <param name="Scores">The last layer's output.</param>
public sealed record BatchGradients(double Loss, Grads Grads, ModelState State, Tensor Scores);
