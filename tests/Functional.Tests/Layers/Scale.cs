using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Layers;

namespace Functional.Tests.Layers;

/// <summary>
/// A layer the library does not know, written as a user would: y = a·x with one trainable scalar a, and a state
/// array "peak" that training raises to the largest |x| seen. It exists to show that a layer is one file plus one
/// registration (<see cref="LayerKinds.With"/>), with no edit to the network.
/// </summary>
/// <param name="Initial">The initial value of a.</param>
public sealed record Scale(double Initial) : Layer
{
    sealed record Input(Tensor X) : LayerCache;

    public override string Kind => "scale";

    public override SampleShape OutputShape(SampleShape input) => input;

    public override IReadOnlyList<ArrayShape> ParamShapes(SampleShape input) => [new("a", 1, 1)];

    public override IReadOnlyList<NamedArray> InitParams(Key key, SampleShape input) =>
        [new("a", Mat.Filled(1, 1, Initial))];

    public override IReadOnlyList<ArrayShape> StateShapes(SampleShape input) => [new("peak", 1, 1)];

    public override IReadOnlyList<NamedArray> InitState(SampleShape input) => [new("peak", Mat.Zeros(1, 1))];

    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx)
    {
        var y = x * p["a"][0, 0];
        if (ctx.Mode == Mode.Eval)
            return new LayerForward(y, new Input(x));
        var peak = Math.Max(s["peak"][0, 0], x.Enumerate().Max(Math.Abs));
        return new LayerForward(y, new Input(x), [new("peak", Mat.Filled(1, 1, peak))]);
    }

    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy)
    {
        var x = ((Input)cache).X;
        var da = x.PointwiseMultiply(dy).Enumerate().Sum();
        return new LayerBackward(dy * p["a"][0, 0], [new("a", Mat.Filled(1, 1, da))]);
    }

    public override JsonObject ToJson() => new() { ["kind"] = Kind, ["initial"] = Initial };

    public static Scale FromJson(JsonObject o) => new(LayerJson.Num(o, "initial"));

    public override string Describe() => $"Scale (a₀ = {Initial:R})";
}
