using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// A batch of images seen as a batch of feature vectors: N×C×H×W becomes N×(C·H·W), the features of a sample in
/// C, H, W order. Both are the same storage (sample-fastest), so neither direction copies.
/// </summary>
public sealed record Flatten : Layer
{
    /// <summary>The input's extents, restored on the gradient.</summary>
    internal sealed record Cache(System.Collections.Immutable.ImmutableArray<int> Dims) : LayerCache;

    /// <inheritdoc/>
    public override string Kind => "flatten";

    /// <summary>An image of C×H×W becomes C·H·W features; a feature vector stays as it is.</summary>
    public override SampleShape OutputShape(SampleShape input) => SampleShape.Features(input.Size);

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx) =>
        new(Flat(x), new Cache(x.Dims));

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy) =>
        new(Restore(p.Index, (Cache)cache, dy), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = Kind };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Flatten FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Flatten";

    internal override bool TakesBuffers => true;

    internal override (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    ) => (Flat(x), new Cache(x.Dims), st);

    internal override Tensor? RunBackward(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Restore(p.Index, (Cache)cache, dy) : null;

    static Tensor Flat(Tensor x) => x.Rank == 2 ? x : x.Reshape(x.RowCount, x.ColumnCount);

    static Tensor Restore(int index, Cache c, Tensor dy)
    {
        Shape.Require(
            dy.RowCount == c.Dims[0] && dy.Length == c.Dims.Aggregate(1, (a, d) => a * d),
            $"layer {index} Flatten backward: expected a gradient of {string.Join('×', c.Dims)}, got {dy.ShapeText}."
        );
        return dy.Reshape(c.Dims.AsSpan());
    }
}
