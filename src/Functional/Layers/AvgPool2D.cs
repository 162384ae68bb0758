using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// Average pooling over each channel of a batch of N×C×H×W images: each output is the sum of the inputs in its
/// <see cref="Pool2D.Height"/>×<see cref="Pool2D.Width"/> window, in row-major order, divided by the window's size (padded
/// positions count as zeros, PyTorch's <c>count_include_pad</c>).
/// </summary>
/// <param name="Height">Window rows.</param>
/// <param name="Width">Window columns.</param>
/// <param name="Stride">Step between windows.</param>
/// <param name="Pad">Padding on each side (at most half the window).</param>
public sealed record AvgPool2D(int Height, int Width, int Stride, int Pad) : Pool2D(Height, Width, Stride, Pad)
{
    /// <summary>The geometry (the gradient needs nothing else).</summary>
    internal sealed record Cache(Im2Col.Geometry Geometry) : LayerCache;

    internal override string Title => "AvgPool2D";

    /// <inheritdoc/>
    public override string Kind => "avgpool2d";

    /// <summary>Reads the JSON written by <see cref="Pool2D.ToJson"/>.</summary>
    public static AvgPool2D FromJson(JsonObject o) =>
        new(LayerJson.Int(o, "h"), LayerJson.Int(o, "w"), LayerJson.Int(o, "stride"), LayerJson.Int(o, "pad"));

    internal override (Tensor Y, LayerCache Cache) Apply(int index, Tensor x, StepScratch? work)
    {
        var g = GeometryOf(index, x);
        var (n, c, h, w, oh, ow) = (g.N, g.C, g.H, g.W, g.OH, g.OW);
        var (y, yd) = StepScratch.New(work, n, c * oh * ow);
        Im2Col.EachChannel(
            c,
            (long)n * c * h * w,
            (Mat.Data(x), yd, g),
            static (s, ch) =>
            {
                var (x, y, g) = s;
                int n = g.N;
                double size = g.Win.Height * g.Win.Width;
                for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var sum = y.AsSpan(n * ((ch * g.OH + oh) * g.OW + ow), n);
                    sum.Clear();
                    for (var i = 0; i < g.Win.Height; i++)
                    {
                        var ih = oh * g.Win.Stride - g.Win.Pad + i;
                        if ((uint)ih >= (uint)g.H)
                            continue;
                        for (var j = 0; j < g.Win.Width; j++)
                        {
                            var iw = ow * g.Win.Stride - g.Win.Pad + j;
                            if ((uint)iw < (uint)g.W)
                                Im2Col.AddInto(sum, x.AsSpan(n * (ch * g.H * g.W + ih * g.W + iw), n));
                        }
                    }
                    for (var t = 0; t < n; t++)
                        sum[t] /= size;
                }
            }
        );
        return (y.Reshape(n, c, oh, ow), new Cache(g));
    }

    internal override Im2Col.Geometry GeometryOf(LayerCache cache) => ((Cache)cache).Geometry;

    /// <summary>dX: each output's gradient divided by the window's size and added to every input of its window,
    /// in (channel, oh, ow, i, j) order.</summary>
    internal override void GradientChannel(
        LayerCache cache,
        double[] d,
        double[] dx,
        in Im2Col.Geometry g,
        double[]? reluOut,
        int c
    )
    {
        int n = g.N;
        double size = g.Win.Height * g.Win.Width;
        var plane = dx.AsSpan(n * c * g.H * g.W, n * g.H * g.W);
        plane.Clear();
        Span<double> share = n <= 256 ? stackalloc double[n] : new double[n];
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow = 0; ow < g.OW; ow++)
        {
            var o = n * ((c * g.OH + oh) * g.OW + ow);
            for (var t = 0; t < n; t++)
                share[t] = d[o + t] / size;
            for (var i = 0; i < g.Win.Height; i++)
            {
                var ih = oh * g.Win.Stride - g.Win.Pad + i;
                if ((uint)ih >= (uint)g.H)
                    continue;
                for (var j = 0; j < g.Win.Width; j++)
                {
                    var iw = ow * g.Win.Stride - g.Win.Pad + j;
                    if ((uint)iw < (uint)g.W)
                        Im2Col.AddInto(plane.Slice(n * (ih * g.W + iw), n), share);
                }
            }
        }
        MaskChannel(reluOut, dx, g, c);
    }
}
