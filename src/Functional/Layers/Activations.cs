using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>max(0, x). The cache keeps the output: its positive entries are exactly the mask.</summary>
public sealed record Relu : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Tensor Y) : LayerCache, IOutputCache;

    /// <inheritdoc/>
    public override string Kind => "relu";

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

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Relu FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "ReLU";

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

    FusedActivation IEpilogueActivation.Epilogue => FusedActivation.Relu;

    LayerCache IEpilogueActivation.CacheOfOutput(Tensor y) => new Cache(y);

    internal static (Tensor Y, Cache Cache) Forward(Tensor x)
    {
        var y = Elementwise.Relu(x);
        return (y, new Cache(y));
    }

    internal static Tensor Backward(Cache c, Tensor dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Tensor Backward(Cache c, Tensor dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "ReLU backward");
        return Elementwise.ReluBackward(c.Y, dY, work);
    }
}

/// <summary>1/(1+e^−x); backward uses the output: dx = dy·y·(1−y).</summary>
public sealed record Sigmoid : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Tensor Y) : LayerCache, IOutputCache;

    /// <inheritdoc/>
    public override string Kind => "sigmoid";

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

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Sigmoid FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Sigmoid";

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

    FusedActivation IEpilogueActivation.Epilogue => FusedActivation.Sigmoid;

    LayerCache IEpilogueActivation.CacheOfOutput(Tensor y) => new Cache(y);

    internal static (Tensor Y, Cache Cache) Forward(Tensor x)
    {
        var y = Elementwise.Sigmoid(x);
        return (y, new Cache(y));
    }

    internal static Tensor Backward(Cache c, Tensor dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Tensor Backward(Cache c, Tensor dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "Sigmoid backward");
        return Elementwise.SigmoidBackward(c.Y, dY, work);
    }
}

/// <summary>tanh(x); backward: dx = dy·(1−y²).</summary>
public sealed record Tanh : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Tensor Y) : LayerCache, IOutputCache;

    /// <inheritdoc/>
    public override string Kind => "tanh";

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

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Tanh FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Tanh";

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

    FusedActivation IEpilogueActivation.Epilogue => FusedActivation.Tanh;

    LayerCache IEpilogueActivation.CacheOfOutput(Tensor y) => new Cache(y);

    internal static (Tensor Y, Cache Cache) Forward(Tensor x)
    {
        var y = Elementwise.Tanh(x);
        return (y, new Cache(y));
    }

    internal static Tensor Backward(Cache c, Tensor dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Tensor Backward(Cache c, Tensor dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "Tanh backward");
        return Elementwise.TanhBackward(c.Y, dY, work);
    }
}
