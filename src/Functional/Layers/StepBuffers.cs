using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// The arrays a training loop lends one step, in one explicit value: the scratch its activations and input
/// gradients come from, the scratch its weight gradients come from (the same scratch, or none when the optimizer
/// rule may keep a gradient), and the batch still owed to the first layer's input. <see cref="None"/> (every array
/// fresh) is what every public entry point uses.
/// </summary>
/// <param name="Work">Activations and input gradients, or null for fresh arrays.</param>
/// <param name="Grads">Weight gradients, or null for fresh arrays.</param>
/// <param name="Deferred">The batch owed to the first layer's input (only the first stage sees it).</param>
internal readonly record struct StepBuffers(StepScratch? Work, StepScratch? Grads, DeferredRows? Deferred)
{
    /// <summary>Fresh arrays throughout.</summary>
    public static StepBuffers None => default;

    /// <summary>These buffers without the deferred batch (for every layer after the first).</summary>
    public StepBuffers WithoutBatch => this with { Deferred = null };
}

/// <summary>The element-wise activation a product applies in its epilogue (<see cref="Affine"/>'s fused forward).</summary>
internal enum FusedActivation
{
    None,
    Relu,
    Sigmoid,
    Tanh,
}

/// <summary>
/// An element-wise activation whose output a product can compute in its epilogue with the same expression (so the
/// same bits), and whose cache is its output.
/// </summary>
internal interface IEpilogueActivation
{
    /// <summary>The activation the product applies.</summary>
    FusedActivation Epilogue { get; }

    /// <summary>The cache the layer's own forward would return for output <paramref name="y"/>.</summary>
    LayerCache CacheOfOutput(Tensor y);
}

/// <summary>
/// A layer whose forward may absorb the layer after it and whose backward may absorb the backward of the layer
/// before it. The network plans these fusions once from its layer list; the fused paths give the bits of the
/// layers apart.
/// </summary>
internal interface IFusingLayer
{
    /// <summary>Whether <see cref="ForwardFused"/> can apply <paramref name="next"/> as well.</summary>
    bool FusesForward(Layer next);

    /// <summary>Whether <see cref="BackwardFused"/> can apply the backward of <paramref name="previous"/> to dX.</summary>
    bool FusesBackwardOf(Layer previous);

    /// <summary>This layer's forward followed by <paramref name="next"/>'s: the output and the two caches.</summary>
    (Tensor Y, LayerCache Cache, LayerCache NextCache) ForwardFused(LayerParams p, Tensor x, Layer next, StepBuffers b);

    /// <summary>This layer's backward, dX already through the backward of the layer before it (whose cache is
    /// <paramref name="previousCache"/>).</summary>
    Tensor BackwardFused(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        LayerCache previousCache,
        StepBuffers b,
        ref GradSink g
    );
}

/// <summary>A cache that is the layer's output (the element-wise activations').</summary>
internal interface IOutputCache
{
    /// <summary>The layer's output.</summary>
    Tensor Y { get; }
}
