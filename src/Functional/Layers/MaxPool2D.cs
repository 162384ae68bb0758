using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Kernels;

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
public sealed record MaxPool2D(int Height, int Width, int Stride, int Pad)
    : Pool2D(Height, Width, Stride, Pad),
        IListedGradientSource
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
        var n = Math.Min(src.Length, Math.Min(best.Length, at.Length));
        if (Vector256.IsHardwareAccelerated)
        {
            var pv = Vector256.Create(pos);
            ref var s0 = ref MemoryMarshal.GetReference(src);
            ref var b0 = ref MemoryMarshal.GetReference(best);
            ref var a0 = ref MemoryMarshal.GetReference(at);
            for (; t + 4 <= n; t += 4)
            {
                var v = Vector256.LoadUnsafe(ref s0, (nuint)t);
                var b = Vector256.LoadUnsafe(ref b0, (nuint)t);
                var gt = Vector256.GreaterThan(v, b);
                Vector256.ConditionalSelect(gt, v, b).StoreUnsafe(ref b0, (nuint)t);
                Vector256
                    .ConditionalSelect(gt, pv, Vector256.LoadUnsafe(ref a0, (nuint)t))
                    .StoreUnsafe(ref a0, (nuint)t);
            }
        }
        for (; t < n; t++)
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

    /// <summary>Whether the windows tile images of <paramref name="input"/>'s shape (see <see cref="Tiles(in Im2Col.Geometry)"/>).</summary>
    internal bool Tiles(SampleShape input)
    {
        if (!input.IsImage || Pad != 0 || Stride != Height || Stride != Width)
            return false;
        var (oh, ow) = Window.Output(input.Height, input.Width);
        return oh > 0 && ow > 0 && oh * Height == input.Height && ow * Width == input.Width;
    }

    /// <summary>
    /// When the windows tile the image and a ReLU feeds the pool: the gradient of the ReLU's input — what
    /// <see cref="Pool2D.Gradient"/> with the ReLU fused writes densely — as the non-zero candidates of each
    /// channel: per channel c, the rows r = N·(h·W + w) + n (the row of a convolution's product whose output this is)
    /// of the maximum of every window, in increasing order, with the value the dense gradient has there,
    /// (0 + dY)·(y &gt; 0 ? 1 : 0). Every other element of the dense gradient is +0.
    /// </summary>
    /// <remarks>
    /// Each window has one maximum per sample, so every channel lists exactly N·OH·OW rows; its columns are
    /// 4 longer than that in the arrays, because the vector path stores four at a time.
    /// </remarks>
    bool IListedGradientSource.ListsGradientFor(Layer activation, Layer before, SampleShape? input) =>
        activation is IEpilogueActivation { Epilogue: FusedActivation.Relu }
        && before is IListedGradientSink
        && input is { } shape
        && Tiles(shape);

    Gemm.SparseColumns IListedGradientSource.ListedGradient(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        StepBuffers b
    ) => SparseGradient(p.Index, cache, dy, b.Work);

    internal Gemm.SparseColumns SparseGradient(int index, LayerCache cached, Tensor dy, StepScratch? work)
    {
        var cache = (Cache)cached;
        var g = cache.Geometry;
        RequireGradient(index, g, dy);
        Shape.Require(Tiles(g), $"layer {index} {Name}: a sparse gradient needs windows that tile the image.");
        var count = g.N * g.OH * g.OW;
        var stride = count + 4;
        var (_, rows) = StepScratch.New(work, stride, g.C);
        var (_, values) = StepScratch.New(work, stride, g.C);
        Im2Col.EachChannel(
            g.C,
            (long)g.N * g.C * g.H * g.W,
            (
                Arg: Mat.Data(cache.Arg),
                Y: Mat.Data(cache.Y),
                Dy: Mat.Data(dy),
                Rows: rows,
                Values: values,
                G: g,
                Stride: stride
            ),
            static (s, c) => SparseChannel(s.Arg, s.Y, s.Dy, s.Rows, s.Values, s.G, s.Stride, c)
        );
        return new Gemm.SparseColumns(rows, values, g.C, stride, count);
    }

    /// <summary>For a group of four samples whose mask bits are m, the float lanes that move the selected doubles to
    /// the front, in order.</summary>
    static readonly Vector256<int>[] Compress = BuildCompress();

    static Vector256<int>[] BuildCompress()
    {
        var table = new Vector256<int>[16];
        Span<int> lanes = stackalloc int[8];
        for (var m = 0; m < 16; m++)
        {
            lanes.Clear();
            var k = 0;
            for (var b = 0; b < 4; b++)
                if ((m >> b & 1) != 0)
                {
                    lanes[2 * k] = 2 * b;
                    lanes[2 * k + 1] = 2 * b + 1;
                    k++;
                }
            table[m] = Vector256.Create<int>(lanes);
        }
        return table;
    }

    /// <summary>One channel of <see cref="SparseGradient"/>: the conv plane scanned in row order, each position
    /// against its window's maxima, the matches compressed four samples at a time.</summary>
    static void SparseChannel(
        double[] arg,
        double[] y,
        double[] d,
        double[] rows,
        double[] values,
        in Im2Col.Geometry g,
        int stride,
        int c
    )
    {
        int n = g.N,
            e = c * stride,
            end = e + n * g.OH * g.OW;
        var vector = Avx2.IsSupported;
        var iota = Vector256.Create(0.0, 1.0, 2.0, 3.0);
        var one = Vector256.Create(1.0);
        for (var h = 0; h < g.H; h++)
        for (var w = 0; w < g.W; w++)
        {
            var pos = h * g.W + w;
            var o = n * ((c * g.OH + h / g.Win.Height) * g.OW + w / g.Win.Width);
            var r0 = (double)n * pos;
            var t = 0;
            if (vector)
            {
                var pv = Vector256.Create((double)pos);
                ref var a0 = ref arg[o];
                ref var d0 = ref d[o];
                ref var y0 = ref y[o];
                for (; t + 4 <= n && e + 4 <= values.Length; t += 4)
                {
                    var hit = Vector256.Equals(Vector256.LoadUnsafe(ref a0, (nuint)t), pv);
                    var m = (int)hit.ExtractMostSignificantBits();
                    var share =
                        (Vector256<double>.Zero + Vector256.LoadUnsafe(ref d0, (nuint)t))
                        * Vector256.ConditionalSelect(
                            Vector256.GreaterThan(Vector256.LoadUnsafe(ref y0, (nuint)t), Vector256<double>.Zero),
                            one,
                            Vector256<double>.Zero
                        );
                    var lanes = Compress[m];
                    Avx2.PermuteVar8x32(share.AsSingle(), lanes).AsDouble().StoreUnsafe(ref values[e]);
                    Avx2.PermuteVar8x32((Vector256.Create(r0 + t) + iota).AsSingle(), lanes)
                        .AsDouble()
                        .StoreUnsafe(ref rows[e]);
                    e += BitOperations.PopCount((uint)m);
                }
            }
            for (; t < n; t++)
                if (arg[o + t] == pos)
                {
                    rows[e] = r0 + t;
                    values[e] = (0.0 + d[o + t]) * (y[o + t] > 0 ? 1.0 : 0.0);
                    e++;
                }
        }
        if (e != end)
            throw new InvalidOperationException(
                $"MaxPool2D sparse gradient: channel {c} listed {e - c * stride} maxima, expected {end - c * stride}."
            );
    }

    /// <summary>
    /// Folds output row <paramref name="r"/> of the layer before (every channel: element (n, c, ow) at
    /// conv[c·ld + ow·N + n]) into the maxima of the windows it belongs to, exactly as <see cref="Apply"/> does when
    /// its scan reaches that row: windows that tile the image, so a window's first candidate is its top-left
    /// element, and the candidates of a row come in column order, before those of the next row.
    /// </summary>
    internal static void PoolRow(double[] conv, int ld, in Im2Col.Geometry g, int r, double[] y, double[] arg)
    {
        int n = g.N,
            i = r / g.Win.Height;
        var top = r % g.Win.Height == 0;
        for (var c = 0; c < g.C; c++)
        for (var ow = 0; ow < g.W; ow++)
        {
            var o = n * ((c * g.OH + i) * g.OW + ow / g.Win.Width);
            var src = conv.AsSpan(c * ld + ow * n, n);
            var pos = r * g.W + ow;
            if (top && ow % g.Win.Width == 0)
            {
                src.CopyTo(y.AsSpan(o, n));
                arg.AsSpan(o, n).Fill(pos);
            }
            else
                Update(src, y.AsSpan(o, n), arg.AsSpan(o, n), pos);
        }
    }

    /// <summary>The cache <see cref="Apply"/> would return, from arrays a fused forward filled.</summary>
    internal static LayerCache CacheOf(Tensor arg, Im2Col.Geometry g, Tensor y) => new Cache(arg, g, y);
}
