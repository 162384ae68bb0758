using Functional.Layers;
using LanguageExt;

namespace Functional.Models;

/// <summary>
/// How a network runs its layers, decided once from the layer list: which forward steps fuse two layers (a product
/// followed by an element-wise activation it applies in its epilogue), which backward steps apply the layer
/// before them to dX (a ReLU's mask in the next product's epilogue), and whether the training loop's scratch may be
/// used. The network's folds follow the plan and switch on no layer type.
/// </summary>
internal sealed class StagePlan
{
    /// <summary>One forward step: <see cref="Layer"/> at <see cref="Index"/>, with <see cref="Next"/> applied by it
    /// when <see cref="Fused"/> is set; <see cref="Image"/> is the image shape of its input samples (null for
    /// feature vectors), which a flat batch is viewed as before the step. With <see cref="Pooled"/> the layer
    /// applies <see cref="Next"/> and the pool after it.</summary>
    internal readonly record struct Stage(
        int Index,
        Layer Layer,
        IFusingLayer? Fused,
        Layer? Next,
        SampleShape? Image = null,
        IPooledForward? Pooled = null
    );

    /// <summary>What the backward fold does at a layer.</summary>
    internal enum Back : byte
    {
        /// <summary>The layer's own backward.</summary>
        Own,

        /// <summary>The layer's backward applies the backward of the layer before it as well.</summary>
        FusedWithPrevious,

        /// <summary>Already applied by the layer after it: the gradient passes through.</summary>
        Skip,

        /// <summary>The layer's backward lists the gradient of the output of the layer two before it
        /// (<see cref="IListedGradientSource"/>); the layer between is skipped.</summary>
        ListsForBefore,

        /// <summary>The layer's parameter gradients from the listed gradient of its output
        /// (<see cref="IListedGradientSink"/>); no input gradient.</summary>
        FromListed,
    }

    StagePlan(
        Stage[] forward,
        Stage[] training,
        Back[] withInput,
        Back[] withoutInput,
        int paramCount,
        bool takesBuffers
    )
    {
        Forward = forward;
        TrainingForward = training;
        WithInput = withInput;
        WithoutInput = withoutInput;
        ParamCount = paramCount;
        TakesBuffers = takesBuffers;
    }

    /// <summary>The forward steps in order.</summary>
    public Stage[] Forward { get; }

    /// <summary>The forward steps of a training step, whose backward is <see cref="WithoutInput"/>: those of
    /// <see cref="Forward"/>, except that a first convolution whose gradient comes listed from the pool two layers on
    /// also applies the activation and the pool, without keeping its output (<see cref="IPooledForward"/>).</summary>
    public Stage[] TrainingForward { get; }

    /// <summary>Per layer, the backward step when the gradient of the network input is wanted.</summary>
    public Back[] WithInput { get; }

    /// <summary>Per layer, the backward step of a training step (no gradient of the network input).</summary>
    public Back[] WithoutInput { get; }

    /// <summary>Number of parameter arrays, or −1 when the layers' shapes do not chain (the error is raised where the
    /// shapes are used).</summary>
    public int ParamCount { get; }

    /// <summary>Whether every layer is one the training loop's scratch may be lent to.</summary>
    public bool TakesBuffers { get; }

    /// <summary>The plan of <paramref name="layers"/> on inputs of shape <paramref name="input"/>.</summary>
    public static StagePlan Of(SampleShape input, Seq<Layer> layers)
    {
        var ls = layers.ToArray();
        var images = Images(input, ls);
        var forward = new List<Stage>(ls.Length);
        for (var i = 0; i < ls.Length; i++)
        {
            var next = i + 1 < ls.Length ? ls[i + 1] : null;
            if (ls[i] is IFusingLayer f && next is not null && f.FusesForward(next))
            {
                forward.Add(new Stage(i, ls[i], f, next, images[i]));
                i++;
            }
            else
                forward.Add(new Stage(i, ls[i], null, null, images[i]));
        }
        var withoutInput = Backward(ls, inputGradient: false, images);
        var training = forward.ToArray();
        if (
            ls.Length >= 3
            && withoutInput[0] == Back.FromListed
            && forward.Count >= 2
            && forward[0] is { Index: 0, Next: not null }
            && forward[1].Index == 2
            && ls[0] is IPooledForward pooled
            && pooled.PoolsForward(ls[1], ls[2], images[2])
        )
            training = [forward[0] with { Fused = null, Pooled = pooled }, .. forward.Skip(2)];
        return new StagePlan(
            [.. forward],
            training,
            Backward(ls, inputGradient: true, images),
            withoutInput,
            CountParams(input, ls),
            ls.All(l => l.TakesBuffers)
        );
    }

    /// <summary>
    /// A layer's backward applies the one before it when it can and that layer's own input gradient is wanted,
    /// i.e. it is not the first layer of a step that skips the gradient of the network input. In such a step, a
    /// third layer that can list the first layer's output gradient (a tiling max pool after a ReLU after a
    /// convolution) hands it to the first layer that way.
    /// </summary>
    static Back[] Backward(Layer[] ls, bool inputGradient, SampleShape?[] images)
    {
        var steps = new Back[ls.Length];
        for (var i = ls.Length - 1; i > (inputGradient ? 0 : 1); i--)
            if (steps[i] == Back.Own && ls[i] is IFusingLayer f && f.FusesBackwardOf(ls[i - 1]))
            {
                steps[i] = Back.FusedWithPrevious;
                steps[i - 1] = Back.Skip;
            }
        if (
            !inputGradient
            && ls.Length >= 3
            && steps[2] != Back.Skip
            && ls[2] is IListedGradientSource source
            && source.ListsGradientFor(ls[1], ls[0], images[2])
        )
        {
            steps[2] = Back.ListsForBefore;
            steps[1] = Back.Skip;
            steps[0] = Back.FromListed;
        }
        return steps;
    }

    /// <summary>Per layer, the image shape of its input (null for feature vectors, and for every layer when the
    /// shapes do not chain).</summary>
    static SampleShape?[] Images(SampleShape input, Layer[] ls)
    {
        var images = new SampleShape?[ls.Length];
        try
        {
            for (var i = 0; i < ls.Length; i++)
            {
                images[i] = input.IsImage ? input : null;
                input = ls[i].OutputShape(input);
            }
            return images;
        }
        catch (ArgumentException)
        {
            return new SampleShape?[ls.Length];
        }
    }

    static int CountParams(SampleShape input, Layer[] ls)
    {
        try
        {
            var n = 0;
            foreach (var l in ls)
            {
                n += l.ParamShapes(input).Count;
                input = l.OutputShape(input);
            }
            return n;
        }
        catch (ArgumentException)
        {
            return -1;
        }
    }
}
