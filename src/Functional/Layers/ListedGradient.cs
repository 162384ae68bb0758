using Functional.Core;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>
/// A layer whose backward can give the gradient of the output of the layer two before it (through the activation
/// between them) as the elements that may be non-zero, when that layer needs nothing denser: a max pool whose
/// windows tile the image, after a ReLU, after a first convolution, lists one maximum per window, a quarter of the
/// convolution's output, and the convolution's weight gradient then sums only those terms.
/// </summary>
internal interface IListedGradientSource
{
    /// <summary>Whether <see cref="ListedGradient"/> gives the gradient of <paramref name="before"/>'s output
    /// through <paramref name="activation"/>, for inputs of this layer of shape <paramref name="input"/>.</summary>
    bool ListsGradientFor(Layer activation, Layer before, SampleShape? input);

    /// <summary>The gradient of the output of the layer two before, as listed elements with the bits of the dense
    /// gradient (every element not listed is +0).</summary>
    Gemm.SparseColumns ListedGradient(LayerParams p, LayerCache cache, Tensor dy, StepBuffers b);
}

/// <summary>A layer whose parameter gradients can be computed from its output gradient given as listed elements
/// (<see cref="IListedGradientSource"/>), with the bits of its own backward, when its input gradient is not wanted.</summary>
internal interface IListedGradientSink
{
    /// <summary>The layer's parameter gradients, into <paramref name="g"/>, from <paramref name="dy"/>.</summary>
    void BackwardFromListed(LayerParams p, LayerCache cache, in Gemm.SparseColumns dy, StepBuffers b, ref GradSink g);
}

/// <summary>
/// A layer whose forward can apply the activation and the pool after it without keeping its own output, for a
/// training step whose backward takes the listed path (<see cref="IListedGradientSource"/>), which needs neither.
/// </summary>
internal interface IPooledForward
{
    /// <summary>Whether <see cref="ForwardPooled"/> applies <paramref name="activation"/> and <paramref name="pool"/>
    /// (whose input has shape <paramref name="poolInput"/>).</summary>
    bool PoolsForward(Layer activation, Layer pool, SampleShape? poolInput);

    /// <summary>pool(activation(this layer(x))) and the three caches the listed backward reads (the activation's is
    /// <see cref="NotKept"/>).</summary>
    (Tensor Y, LayerCache Conv, LayerCache Activation, LayerCache Pool) ForwardPooled(
        LayerParams p,
        Tensor x,
        Layer activation,
        Layer pool,
        StepBuffers b
    );
}

/// <summary>The cache of a layer whose output a fused forward never kept: nothing in the step's backward reads it.</summary>
internal sealed record NotKept : LayerCache
{
    public static readonly NotKept Instance = new();
}
