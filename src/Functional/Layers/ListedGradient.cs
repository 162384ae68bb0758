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
