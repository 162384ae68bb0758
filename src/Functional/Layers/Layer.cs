using System.Text.Json.Nodes;
using Functional.Core;
using LanguageExt;

namespace Functional.Layers;

/// <summary>Training or evaluation: always an explicit argument, never a flag stored on a layer.</summary>
public enum Mode
{
    /// <summary>Batch statistics, random masks, state updates.</summary>
    Train,

    /// <summary>Running statistics, no randomness, state unchanged.</summary>
    Eval,
}

/// <summary>The per-call context: mode and, in training, the random key for this step.</summary>
/// <param name="Mode">Training or evaluation.</param>
/// <param name="Key">The step's random key (required in training by layers that draw, such as Dropout).</param>
public sealed record Ctx(Mode Mode, Option<Key> Key)
{
    /// <summary>Evaluation mode, no key.</summary>
    public static Ctx Eval { get; } = new(Mode.Eval, Option<Key>.None);

    /// <summary>Training mode with the step's key.</summary>
    public static Ctx Train(Key key) => new(Mode.Train, key);

    /// <summary>Training without randomness (valid for networks without Dropout).</summary>
    public static Ctx TrainNoKey { get; } = new(Mode.Train, Option<Key>.None);
}

/// <summary>
/// A layer: an immutable record of hyper-parameters that owns its behaviour. Trainable arrays live in
/// <see cref="Params"/> and running statistics in <see cref="ModelState"/>, both under typed keys (layer index,
/// name); what backward needs is the cache forward returns. A new layer type derives from this record in one file
/// and is made readable from JSON by one registration in a <see cref="LayerKinds"/>; the network folds over layers
/// and knows none by name.
/// </summary>
public abstract record Layer
{
    /// <summary>The layer's <c>"kind"</c> in a network's JSON spec (the name it is registered under).</summary>
    public abstract string Kind { get; }

    /// <summary>The shape of one output sample for one input sample of shape <paramref name="input"/>; throws an
    /// <see cref="ArgumentException"/> naming the layer and both shapes when the input does not fit.</summary>
    public abstract SampleShape OutputShape(SampleShape input);

    /// <summary>Number of output features for <paramref name="inputs"/> input features (checked).</summary>
    public int Outputs(int inputs) => OutputShape(SampleShape.Features(inputs)).Size;

    /// <summary>Names and shapes of the trainable arrays, in ordinal name order (none by default).</summary>
    public virtual IReadOnlyList<ArrayShape> ParamShapes(SampleShape input) => [];

    /// <summary>Fresh trainable arrays, drawn from <paramref name="key"/> (the network passes a key of its own to each
    /// layer), with the names and shapes of <see cref="ParamShapes"/>.</summary>
    public virtual IReadOnlyList<NamedArray> InitParams(Key key, SampleShape input) => [];

    /// <summary>Names and shapes of the non-trainable state arrays (none by default).</summary>
    public virtual IReadOnlyList<ArrayShape> StateShapes(SampleShape input) => [];

    /// <summary>The initial state arrays (for example BatchNorm's running statistics).</summary>
    public virtual IReadOnlyList<NamedArray> InitState(SampleShape input) => [];

    /// <summary>The parameters that L2 weight decay applies to (a network's <c>WeightDecay</c>); none by default.</summary>
    public virtual IReadOnlyList<string> DecayedParams => [];

    /// <summary>
    /// The layer applied to a batch <paramref name="x"/> (one sample per row): the output, what <see cref="Backward"/>
    /// needs, and the state arrays that change (null when none does). Pure: nothing given is modified.
    /// </summary>
    public abstract LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx);

    /// <summary>The gradient with respect to the input and to each trainable array, from the gradient of the output
    /// <paramref name="dy"/> and the cache of the forward call. Pure: nothing given is modified.</summary>
    public abstract LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy);

    /// <summary>The hyper-parameters as JSON, <c>"kind"</c> first (read back by the reader registered for
    /// <see cref="Kind"/>).</summary>
    public abstract JsonObject ToJson();

    /// <summary>A one-line description for model summaries.</summary>
    public abstract string Describe();

    /// <summary>
    /// Whether the network may hand this layer a training loop's scratch arrays (<see cref="StepBuffers"/>): only the
    /// built-in layers, which keep no reference to their input or output in the state they return. A network with
    /// any other layer runs on fresh arrays throughout.
    /// </summary>
    internal virtual bool TakesBuffers => false;

    /// <summary>Whether this layer's forward may be handed the training loop's batch still owed to its input
    /// (<see cref="DeferredRows"/>); any other first layer gets the batch written first.</summary>
    internal virtual bool ReadsDeferredBatch => false;

    /// <summary>The network's forward step for this layer: <see cref="Forward"/> by default; the built-in layers
    /// override it to draw their output from <paramref name="b"/> and update <paramref name="st"/> directly.</summary>
    internal virtual (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var r = Forward(p, new LayerState(st, p.Index), x, ctx);
        if (r.State is { } changed)
            foreach (var a in changed)
                st = st.SetItem(new ParamKey(p.Index, a.Name), a.Value);
        return (r.Y, r.Cache, st);
    }

    /// <summary>The network's backward step for this layer: the gradients into <paramref name="g"/>, and the input
    /// gradient when <paramref name="needDx"/> (null otherwise). <see cref="Backward"/> by default; the built-in layers
    /// override it to skip unneeded work and use <paramref name="b"/>.</summary>
    internal virtual Tensor? RunBackward(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    )
    {
        var r = Backward(p, cache, dy);
        for (var k = r.Grads.Count - 1; k >= 0; k--)
            g.Add(p.Index, r.Grads[k].Name, r.Grads[k].Value);
        return needDx ? r.Dx : null;
    }
}

/// <summary>What a layer's forward pass hands to its backward pass.</summary>
public abstract record LayerCache;
