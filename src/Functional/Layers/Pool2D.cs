using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>
/// A pooling layer over each channel of a batch of N×C×H×W images (<see cref="MaxPool2D"/>, <see cref="AvgPool2D"/>):
/// no parameters, a <see cref="Height"/>×<see cref="Width"/> window moved by <see cref="Stride"/> over the image
/// padded by <see cref="Pad"/>. The geometry, the checks, the JSON and the layer plumbing are written here once; each
/// pool gives its forward and its gradient. After a ReLU (a convolution's usual activation) the pool's backward also
/// applies the ReLU's, channel by channel while the channel is in cache: the ReLU's own expression, so the same bits
/// as the two layers apart, without a second pass over the batch.
/// </summary>
/// <param name="Height">Window rows.</param>
/// <param name="Width">Window columns.</param>
/// <param name="Stride">Step between windows.</param>
/// <param name="Pad">Padding on each side (at most half the window).</param>
public abstract record Pool2D(int Height, int Width, int Stride, int Pad) : Layer, IFusingLayer
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
    ) => needDx ? Gradient(p.Index, cache, dy, b.Work, null) : null;

    bool IFusingLayer.FusesForward(Layer next) => false;

    bool IFusingLayer.FusesBackwardOf(Layer previous) =>
        previous is IEpilogueActivation { Epilogue: FusedActivation.Relu };

    (Tensor Y, LayerCache Cache, LayerCache NextCache) IFusingLayer.ForwardFused(
        LayerParams p,
        Tensor x,
        Layer next,
        StepBuffers b
    ) => throw new InvalidOperationException($"{Name} absorbs no layer after it.");

    Tensor IFusingLayer.BackwardFused(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        LayerCache previousCache,
        StepBuffers b,
        ref GradSink g
    ) => Gradient(p.Index, cache, dy, b.Work, ((IOutputCache)previousCache).Y);

    /// <summary>The pooled batch (from <paramref name="work"/> when given) and the cache its gradient needs.</summary>
    internal abstract (Tensor Y, LayerCache Cache) Apply(int index, Tensor x, StepScratch? work);

    /// <summary>dX from dY and the cache of <see cref="Apply"/>, one channel per thread (<see cref="GradientChannel"/>);
    /// with <paramref name="reluBefore"/> (the output of the ReLU that feeds the pool, i.e. the pool's input) dX
    /// already through that ReLU's backward.</summary>
    internal Tensor Gradient(int index, LayerCache cache, Tensor dy, StepScratch? work, Tensor? reluBefore = null)
    {
        var g = GeometryOf(cache);
        RequireGradient(index, g, dy);
        var mask = MaskOf(index, g, reluBefore);
        var (dx, dxd) = StepScratch.New(work, g.N, g.C * g.H * g.W);
        Im2Col.EachChannel(
            g.C,
            (long)g.N * g.C * g.H * g.W,
            (Pool: this, Cache: cache, Dy: Mat.Data(dy), Dx: dxd, G: g, Mask: mask),
            static (s, c) => s.Pool.GradientChannel(s.Cache, s.Dy, s.Dx, s.G, s.Mask, c)
        );
        return dx.Reshape(g.N, g.C, g.H, g.W);
    }

    /// <summary>The geometry kept in the cache of <see cref="Apply"/>.</summary>
    internal abstract Im2Col.Geometry GeometryOf(LayerCache cache);

    /// <summary>Channel <paramref name="c"/> of dX (every element written) from dY, and through the ReLU's backward
    /// when <paramref name="reluOut"/> is given (<see cref="MaskChannel"/>, or an expression with its bits).</summary>
    internal abstract void GradientChannel(
        LayerCache cache,
        double[] dy,
        double[] dx,
        in Im2Col.Geometry g,
        double[]? reluOut,
        int c
    );

    /// <summary>The ReLU's backward on channel <paramref name="c"/> of dX, in place: dx·(y &gt; 0 ? 1 : 0) with the
    /// ReLU layer's own kernel. Nothing when <paramref name="y"/> is null.</summary>
    internal static void MaskChannel(double[]? y, double[] dx, in Im2Col.Geometry g, int c)
    {
        if (y is null)
            return;
        var plane = g.N * g.H * g.W;
        var d = dx.AsSpan(plane * c, plane);
        Elementwise.ReluBackward(y.AsSpan(plane * c, plane), d, d);
    }

    /// <summary>The data of <paramref name="reluBefore"/>, checked to be the shape of the pool's input.</summary>
    internal double[]? MaskOf(int index, Im2Col.Geometry g, Tensor? reluBefore)
    {
        if (reluBefore is null)
            return null;
        Shape.Require(
            reluBefore.RowCount == g.N && reluBefore.ColumnCount == g.C * g.H * g.W,
            $"layer {index} {Name} backward: expected the ReLU output of {g.N}×{g.C}×{g.H}×{g.W}, got {reluBefore.ShapeText}."
        );
        return Mat.Data(reluBefore);
    }

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
