using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>
/// An element-wise activation whose gradient needs only its output (<see cref="Relu"/>, <see cref="Sigmoid"/>,
/// <see cref="Tanh"/>): no parameters, no state, the output has the input's shape, the cache keeps the output, and
/// an <see cref="Affine"/> before it computes it in its product's epilogue (same bits as this layer alone).
/// </summary>
public abstract record OutputActivation : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Tensor Y) : LayerCache, IOutputCache;

    /// <summary>Element-wise: the output has the input's shape.</summary>
    public override SampleShape OutputShape(SampleShape input) => input;

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx)
    {
        var (y, c) = Forward(x);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy) =>
        new(Backward((Cache)cache, dy), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = Kind };

    internal override bool TakesBuffers => true;

    internal override (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var (y, c) = Forward(x);
        return (y, c, st);
    }

    internal override Tensor? RunBackward(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Backward((Cache)cache, dy, b.Work) : null;

    FusedActivation IEpilogueActivation.Epilogue => Epilogue;

    LayerCache IEpilogueActivation.CacheOfOutput(Tensor y) => new Cache(y);

    /// <summary>The same function as a product's epilogue.</summary>
    internal abstract FusedActivation Epilogue { get; }

    /// <summary>y = f(x), a fresh tensor.</summary>
    internal abstract Tensor Apply(Tensor x);

    /// <summary>dx from the output y and dy, from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal abstract Tensor Gradient(Tensor y, Tensor dY, StepScratch? work);

    internal (Tensor Y, Cache Cache) Forward(Tensor x)
    {
        var y = Apply(x);
        return (y, new Cache(y));
    }

    internal Tensor Backward(Cache c, Tensor dY, StepScratch? work = null)
    {
        Shape.RequireSame(c.Y, dY, $"{Describe()} backward");
        return Gradient(c.Y, dY, work);
    }
}

/// <summary>max(0, x). The cache keeps the output: its positive entries are exactly the mask.</summary>
public sealed record Relu : OutputActivation
{
    /// <inheritdoc/>
    public override string Kind => "relu";

    /// <summary>Reads the JSON written by <see cref="OutputActivation.ToJson"/>.</summary>
    public static Relu FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "ReLU";

    internal override FusedActivation Epilogue => FusedActivation.Relu;

    internal override Tensor Apply(Tensor x) => Elementwise.Relu(x);

    internal override Tensor Gradient(Tensor y, Tensor dY, StepScratch? work) => Elementwise.ReluBackward(y, dY, work);
}

/// <summary>1/(1+e^−x); backward uses the output: dx = dy·y·(1−y).</summary>
public sealed record Sigmoid : OutputActivation
{
    /// <inheritdoc/>
    public override string Kind => "sigmoid";

    /// <summary>Reads the JSON written by <see cref="OutputActivation.ToJson"/>.</summary>
    public static Sigmoid FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Sigmoid";

    internal override FusedActivation Epilogue => FusedActivation.Sigmoid;

    internal override Tensor Apply(Tensor x) => Elementwise.Sigmoid(x);

    internal override Tensor Gradient(Tensor y, Tensor dY, StepScratch? work) =>
        Elementwise.SigmoidBackward(y, dY, work);
}

/// <summary>tanh(x); backward: dx = dy·(1−y²).</summary>
public sealed record Tanh : OutputActivation
{
    /// <inheritdoc/>
    public override string Kind => "tanh";

    /// <summary>Reads the JSON written by <see cref="OutputActivation.ToJson"/>.</summary>
    public static Tanh FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Tanh";

    internal override FusedActivation Epilogue => FusedActivation.Tanh;

    internal override Tensor Apply(Tensor x) => Elementwise.Tanh(x);

    internal override Tensor Gradient(Tensor y, Tensor dY, StepScratch? work) => Elementwise.TanhBackward(y, dY, work);
}
