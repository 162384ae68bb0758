using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// Max pooling over each channel of a batch of N×C×H×W images: each output is the largest input in its
/// <see cref="Pool2D.Height"/>×<see cref="Pool2D.Width"/> window (moved by <see cref="Pool2D.Stride"/>; padded positions are not
/// candidates). The gradient goes to the first maximum in the window's row-major scan, so ties are deterministic.
/// </summary>
/// <param name="Height">Window rows.</param>
/// <param name="Width">Window columns.</param>
/// <param name="Stride">Step between windows.</param>
/// <param name="Pad">Padding on each side (at most half the window).</param>
public sealed record MaxPool2D(int Height, int Width, int Stride, int Pad) : Pool2D(Height, Width, Stride, Pad)
{
    /// <summary>Per output, the position (h·W + w) of its maximum in its channel's plane, as a double; the
    /// geometry; and the output (the maxima, which a fused ReLU backward reads instead of the 4× larger input).</summary>
    internal sealed record Cache(Tensor Arg, Im2Col.Geometry Geometry, Tensor Y) : LayerCache;

    internal override string Title => "MaxPool2D";

    /// <inheritdoc/>
    public override string Kind => "maxpool2d";

    /// <summary>Reads the JSON written by <see cref="Pool2D.ToJson"/>.</summary>
    public static MaxPool2D FromJson(JsonObject o) =>
        new(LayerJson.Int(o, "h"), LayerJson.Int(o, "w"), LayerJson.Int(o, "stride"), LayerJson.Int(o, "pad"));

    internal override (Tensor Y, LayerCache Cache) Apply(int index, Tensor x, StepScratch? work)
    {
        var g = GeometryOf(index, x);
        var (n, c, h, w, oh, ow) = (g.N, g.C, g.H, g.W, g.OH, g.OW);
        var (y, yd) = StepScratch.New(work, n, c * oh * ow);
        var (arg, ad) = StepScratch.New(work, n, c * oh * ow);
        Im2Col.EachChannel(c, (long)n * c * h * w, (Mat.Data(x), yd, ad, g), static (s, ch) => Channel(s, ch));
        return (y.Reshape(n, c, oh, ow), new Cache(arg, g, y));
    }

    /// <summary>One channel's maxima, window by window, the window scanned row by row; a later element replaces
    /// the maximum only when strictly greater.</summary>
    static void Channel((double[] X, double[] Y, double[] Arg, Im2Col.Geometry G) s, int c)
    {
        var (x, y, arg, g) = s;
        int n = g.N,
            st = g.Win.Stride,
            p = g.Win.Pad;
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow = 0; ow < g.OW; ow++)
        {
            var o = n * ((c * g.OH + oh) * g.OW + ow);
            var best = y.AsSpan(o, n);
            var at = arg.AsSpan(o, n);
            var first = true;
            for (var i = 0; i < g.Win.Height; i++)
            {
                var ih = oh * st - p + i;
                if ((uint)ih >= (uint)g.H)
                    continue;
                for (var j = 0; j < g.Win.Width; j++)
                {
                    var iw = ow * st - p + j;
                    if ((uint)iw >= (uint)g.W)
                        continue;
                    var pos = ih * g.W + iw;
                    var src = x.AsSpan(n * (c * g.H * g.W + pos), n);
                    if (first)
                    {
                        src.CopyTo(best);
                        at.Fill(pos);
                        first = false;
                    }
                    else
                        Update(src, best, at, pos);
                }
            }
        }
    }

    /// <summary>best ← src and at ← pos where src &gt; best.</summary>
    static void Update(ReadOnlySpan<double> src, Span<double> best, Span<double> at, double pos)
    {
        var t = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var pv = Vector256.Create(pos);
            for (; t + 4 <= src.Length; t += 4)
            {
                var v = Vector256.Create(src.Slice(t, 4));
                var b = Vector256.Create<double>(best.Slice(t, 4));
                var gt = Vector256.GreaterThan(v, b);
                Vector256.ConditionalSelect(gt, v, b).CopyTo(best.Slice(t, 4));
                Vector256.ConditionalSelect(gt, pv, Vector256.Create<double>(at.Slice(t, 4))).CopyTo(at.Slice(t, 4));
            }
        }
        for (; t < src.Length; t++)
            if (src[t] > best[t])
            {
                best[t] = src[t];
                at[t] = pos;
            }
    }

    internal override Im2Col.Geometry GeometryOf(LayerCache cache) => ((Cache)cache).Geometry;

    /// <summary>dX: each output's gradient added to its maximum's position, in (channel, oh, ow) order; zero
    /// elsewhere.</summary>
    internal override void GradientChannel(
        LayerCache cached,
        double[] d,
        double[] dx,
        in Im2Col.Geometry g,
        double[]? reluOut,
        int c
    )
    {
        var cache = (Cache)cached;
        var arg = Mat.Data(cache.Arg);
        if (Tiles(g))
        {
            TiledChannel(d, arg, dx, g, reluOut is null ? null : Mat.Data(cache.Y), c);
            return;
        }
        int n = g.N,
            plane = g.H * g.W;
        dx.AsSpan(n * c * plane, n * plane).Clear();
        for (var o = c * g.OH * g.OW; o < (c + 1) * g.OH * g.OW; o++)
        for (var t = 0; t < n; t++)
            dx[n * (c * plane + (int)arg[n * o + t]) + t] += d[n * o + t];
        MaskChannel(reluOut, dx, g, c);
    }

    /// <summary>Whether the windows tile the image exactly (stride = window, no padding, sizes divisible): every
    /// input then lies in exactly one window.</summary>
    static bool Tiles(in Im2Col.Geometry g) =>
        g.Win.Pad == 0
        && g.Win.Stride == g.Win.Height
        && g.Win.Stride == g.Win.Width
        && g.OH * g.Win.Height == g.H
        && g.OW * g.Win.Width == g.W;

    /// <summary>
    /// One channel of dX when the windows tile the image, written in one pass: each input is 0 + dY at its window's
    /// maximum and 0 elsewhere, and with a ReLU before the pool the maximum's value is times (y &gt; 0 ? 1 : 0): exactly
    /// what the clear, scatter and mask passes give (one gradient per position, so one addition; 0·mask is +0). The
    /// mask reads the pool's output <paramref name="pooled"/>, which holds the ReLU output at each maximum.
    /// </summary>
    static void TiledChannel(double[] d, double[] arg, double[] dx, in Im2Col.Geometry g, double[]? pooled, int c)
    {
        int n = g.N,
            plane = g.H * g.W;
        var zero = Vector256<double>.Zero;
        Span<double> share = n <= 256 ? stackalloc double[n] : new double[n];
        for (var oh = 0; oh < g.OH; oh++)
        for (var ow = 0; ow < g.OW; ow++)
        {
            var o = n * ((c * g.OH + oh) * g.OW + ow);
            var at = arg.AsSpan(o, n);
            for (var t = 0; t < n; t++)
                share[t] = pooled is null ? 0.0 + d[o + t] : (0.0 + d[o + t]) * (pooled[o + t] > 0 ? 1.0 : 0.0);
            for (var i = 0; i < g.Win.Height; i++)
            for (var j = 0; j < g.Win.Width; j++)
            {
                var pos = (oh * g.Win.Height + i) * g.W + ow * g.Win.Width + j;
                var to = dx.AsSpan(n * (c * plane + pos), n);
                var t = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var pv = Vector256.Create((double)pos);
                    for (; t + 4 <= n; t += 4)
                        Vector256
                            .ConditionalSelect(
                                Vector256.Equals(Vector256.Create<double>(at.Slice(t, 4)), pv),
                                Vector256.Create<double>(share.Slice(t, 4)),
                                zero
                            )
                            .CopyTo(to.Slice(t, 4));
                }
                for (; t < n; t++)
                    to[t] = at[t] == pos ? share[t] : 0.0;
            }
        }
    }
}
