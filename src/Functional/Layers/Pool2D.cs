using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// A pooling layer over each channel of a batch of N×C×H×W images (<see cref="MaxPool2D"/>, <see cref="AvgPool2D"/>):
/// no parameters, a <see cref="Height"/>×<see cref="Width"/> window moved by <see cref="Stride"/> over the image
/// padded by <see cref="Pad"/>. The geometry, the checks, the JSON and the layer plumbing are written here once; each
/// pool gives its forward and its gradient.
/// </summary>
/// <param name="Height">Window rows.</param>
/// <param name="Width">Window columns.</param>
/// <param name="Stride">Step between windows.</param>
/// <param name="Pad">Padding on each side (at most half the window).</param>
public abstract record Pool2D(int Height, int Width, int Stride, int Pad) : Layer
{
    internal Window2D Window => new(Height, Width, Stride, Pad);

    /// <summary>The pool's type name ("MaxPool2D").</summary>
    internal abstract string Title { get; }

    internal string Name => $"{Title}({Height}×{Width}, stride {Stride}, pad {Pad})";

    /// <inheritdoc/>
    public override SampleShape OutputShape(SampleShape input)
    {
        Window.Check(Name, pool: true);
        return Window.OutputShape(input, 0, 0, Name);
    }

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx)
    {
        var (y, c) = Apply(p.Index, x, null);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy) =>
        new(Gradient(p.Index, cache, dy, null), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() =>
        new()
        {
            ["kind"] = Kind,
            ["h"] = Height,
            ["w"] = Width,
            ["stride"] = Stride,
            ["pad"] = Pad,
        };

    /// <inheritdoc/>
    public override string Describe() => $"{Title} {Height}×{Width} s{Stride} p{Pad}";

    internal override bool TakesBuffers => true;

    internal override (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var (y, c) = Apply(p.Index, x, b.Work);
        return (y, c, st);
    }

    internal override Tensor? RunBackward(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Gradient(p.Index, cache, dy, b.Work) : null;

    /// <summary>The pooled batch (from <paramref name="work"/> when given) and the cache its gradient needs.</summary>
    internal abstract (Tensor Y, LayerCache Cache) Apply(int index, Tensor x, StepScratch? work);

    /// <summary>dX from dY and the cache of <see cref="Apply"/>.</summary>
    internal abstract Tensor Gradient(int index, LayerCache cache, Tensor dy, StepScratch? work);

    /// <summary>The geometry of pooling <paramref name="x"/>, checked: the window must fit the image.</summary>
    internal Im2Col.Geometry GeometryOf(int index, Tensor x)
    {
        var (n, c, h, w) = Window2D.Dims(x, 0, $"layer {index} {Name}");
        Window.Check(Name, pool: true);
        var (oh, ow) = Window.Output(h, w);
        Shape.Require(oh > 0 && ow > 0, $"layer {index} {Name}: the window does not fit in a {c}×{h}×{w} image.");
        return new Im2Col.Geometry(n, c, h, w, Window, oh, ow);
    }

    /// <summary>Requires <paramref name="dy"/> to be the gradient of an output of geometry <paramref name="g"/>.</summary>
    internal void RequireGradient(int index, Im2Col.Geometry g, Tensor dy) =>
        Shape.Require(
            dy.RowCount == g.N && dy.ColumnCount == g.C * g.OH * g.OW,
            $"layer {index} {Name} backward: expected a gradient of {g.N}×{g.C}×{g.OH}×{g.OW}, got {dy.ShapeText}."
        );
}
