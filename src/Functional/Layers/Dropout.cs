using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// The book's Dropout: in training mode each unit is kept when its uniform draw exceeds <see cref="Ratio"/>
/// (the mask comes from an explicit key); in evaluation mode the output is scaled by (1 − ratio).
/// </summary>
/// <param name="Ratio">The probability of dropping a unit, in [0, 1).</param>
public sealed record Dropout(double Ratio) : Layer
{
    /// <summary>The mask (1 kept, 0 dropped; 1 − ratio everywhere in evaluation mode).</summary>
    internal sealed record Cache(Tensor Mask) : LayerCache;

    /// <inheritdoc/>
    public override string Kind => "dropout";

    /// <summary>Element-wise: the output has the input's shape.</summary>
    public override SampleShape OutputShape(SampleShape input) => input;

    /// <summary>The mask of layer i in a training step draws from <c>ctx.Key.FoldIn(i)</c>.</summary>
    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx)
    {
        var (y, c, _) = Run(p, s.All, x, ctx, StepBuffers.None);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy) =>
        new(Backward((Cache)cache, dy), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = Kind, ["ratio"] = Ratio };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Dropout FromJson(JsonObject o) => new(LayerJson.Num(o, "ratio"));

    /// <inheritdoc/>
    public override string Describe() => $"Dropout {Ratio:R}";

    internal override bool TakesBuffers => true;

    internal override (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var key =
            ctx.Mode == Mode.Train
                ? ctx.Key.IfNone(() =>
                    throw new ArgumentException(
                        $"layer {p.Index} Dropout in training mode needs a random key: pass Ctx.Train(key), or use Ctx.Eval."
                    )
                )
                : default;
        var (y, c) = Forward(this, x, ctx, key.FoldIn(p.Index));
        return (y, c, st);
    }

    internal override Tensor? RunBackward(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Backward((Cache)cache, dy) : null;

    internal static (Tensor Y, Cache Cache) Forward(Dropout spec, Tensor x, Ctx ctx, Key layerKey)
    {
        if (ctx.Mode == Mode.Eval)
        {
            var keep = Mat.Filled(x.RowCount, x.ColumnCount, 1.0 - spec.Ratio);
            return (x * (1.0 - spec.Ratio), new Cache(keep));
        }
        // Element (i, j) keeps its value when draw i·cols + j of the layer key exceeds the ratio (Sampling.Uniform's
        // row-major counter), computed in one loop over column-major storage without a delegate per element.
        int rows = x.RowCount,
            cols = x.ColumnCount;
        var (mask, md) = Mat.New(rows, cols);
        var (y, yd) = Mat.New(rows, cols);
        var xd = Mat.Data(x);
        for (var j = 0; j < cols; j++)
        for (var i = 0; i < rows; i++)
        {
            var k = j * rows + i;
            var keep = layerKey.Uniform((ulong)i * (ulong)cols + (ulong)j) > spec.Ratio ? 1.0 : 0.0;
            md[k] = keep;
            yd[k] = xd[k] * keep;
        }
        return (y, new Cache(mask));
    }

    internal static Tensor Backward(Cache c, Tensor dY)
    {
        Shape.RequireSame(c.Mask, dY, "Dropout backward");
        var (dx, d) = Mat.New(dY.RowCount, dY.ColumnCount);
        var g = Mat.Data(dY);
        var m = Mat.Data(c.Mask);
        for (var k = 0; k < d.Length; k++)
            d[k] = g[k] * m[k];
        return dx;
    }
}
