using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Kernels;

namespace Functional.Layers;

/// <summary>
/// A 2-D convolution (cross-correlation, as the book's and PyTorch's) over a batch of N×C×H×W images:
/// <see cref="OutChannels"/> filters of <see cref="InChannels"/>×<see cref="KernelH"/>×<see cref="KernelW"/>
/// weights and one bias each, moved by <see cref="Stride"/> over the image padded with <see cref="Pad"/> zeros.
/// </summary>
/// <remarks>
/// Computed as a product on the deterministic GEMM: the input is unfolded (<see cref="Im2Col"/>) into a matrix with
/// one row per (output position, sample) and one column per tap (c, i, j), and multiplied by W (taps × filters);
/// the bias and a following activation are applied to each finished part of the product as <see cref="Affine"/>
/// does, and the product's column-major output is already the N×F×OH×OW batch. Each output is therefore the sum of
/// its taps in increasing (c, i, j) order, padding included as zeros, plus the bias; backward is the weight and
/// input-column products of <see cref="Affine"/> and the fold of the columns back onto the image. W is stored
/// taps×filters, filter f in column f with its taps in (c, i, j) order (the book's W[f].reshape(-1)).
/// </remarks>
/// <param name="InChannels">Channels of the input images.</param>
/// <param name="OutChannels">Filters (channels of the output images).</param>
/// <param name="KernelH">Filter rows.</param>
/// <param name="KernelW">Filter columns.</param>
/// <param name="Stride">Step between output positions.</param>
/// <param name="Pad">Zero padding on each side.</param>
/// <param name="Init">The weights' initialisation, with fan-in C·KernelH·KernelW and fan-out
/// <see cref="OutChannels"/>; the biases start at zero.</param>
public sealed record Conv2D(
    int InChannels,
    int OutChannels,
    int KernelH,
    int KernelW,
    int Stride,
    int Pad,
    WeightInit Init
) : Layer, IFusingLayer, IListedGradientSink, IPooledForward
{
    /// <summary>The unfolded input (what dW needs) and the geometry.</summary>
    /// <remarks>Col is null after <see cref="IPooledForward.ForwardPooled"/>, which never holds all of it; a dense
    /// backward then unfolds X again.</remarks>
    internal sealed record Cache(Tensor? Col, Im2Col.Geometry Geometry, Tensor X) : LayerCache;

    static readonly string[] Decayed = ["W"];

    Window2D Window => new(KernelH, KernelW, Stride, Pad);

    /// <summary>Weights per filter: the fan-in.</summary>
    public int Taps => InChannels * KernelH * KernelW;

    string Name => $"Conv2D({InChannels}→{OutChannels}, {KernelH}×{KernelW}, stride {Stride}, pad {Pad})";

    /// <inheritdoc/>
    public override string Kind => "conv2d";

    /// <inheritdoc/>
    public override SampleShape OutputShape(SampleShape input)
    {
        Shape.Require(InChannels > 0 && OutChannels > 0, $"{Name}: the channel counts must be positive.");
        Window.Check(Name, pool: false);
        return Window.OutputShape(input, InChannels, OutChannels, Name);
    }

    /// <summary>W (taps×filters) and b (1×filters).</summary>
    public override IReadOnlyList<ArrayShape> ParamShapes(SampleShape input) =>
        [new("W", Taps, OutChannels), new("b", 1, OutChannels)];

    /// <summary>W drawn by <see cref="Init"/> with fan-in C·KernelH·KernelW, b zero.</summary>
    public override IReadOnlyList<NamedArray> InitParams(Key key, SampleShape input) =>
        [new("W", Init.Sample(key, Taps, OutChannels)), new("b", Mat.Zeros(1, OutChannels))];

    /// <summary>The weights W (not the biases).</summary>
    public override IReadOnlyList<string> DecayedParams => Decayed;

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx)
    {
        var (y, c) = Apply(p, x, FusedActivation.None, StepBuffers.None);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy)
    {
        var (dw, dx, db) = Gradients(p, (Cache)cache, dy, true, StepBuffers.None);
        return new LayerBackward(dx!, [new("W", dw), new("b", db)]);
    }

    /// <inheritdoc/>
    public override JsonObject ToJson() =>
        new()
        {
            ["kind"] = Kind,
            ["in_channels"] = InChannels,
            ["out_channels"] = OutChannels,
            ["kernel_h"] = KernelH,
            ["kernel_w"] = KernelW,
            ["stride"] = Stride,
            ["pad"] = Pad,
            ["init"] = Init.ToString(),
        };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Conv2D FromJson(JsonObject o) =>
        new(
            LayerJson.Int(o, "in_channels"),
            LayerJson.Int(o, "out_channels"),
            LayerJson.Int(o, "kernel_h"),
            LayerJson.Int(o, "kernel_w"),
            LayerJson.Int(o, "stride"),
            LayerJson.Int(o, "pad"),
            WeightInit.Parse(LayerJson.Str(o, "init"))
        );

    /// <inheritdoc/>
    public override string Describe() =>
        $"Conv2D {InChannels}→{OutChannels} {KernelH}×{KernelW} s{Stride} p{Pad} (init {Init})";

    internal override bool TakesBuffers => true;

    internal override (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var (y, c) = Apply(p, x, FusedActivation.None, b);
        return (y, c, st);
    }

    internal override Tensor? RunBackward(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    )
    {
        var (dw, dx, db) = Gradients(p, (Cache)cache, dy, needDx, b);
        g.Add(p.Index, "b", db);
        g.Add(p.Index, "W", dw);
        return dx;
    }

    void IListedGradientSink.BackwardFromListed(
        LayerParams p,
        LayerCache cache,
        in Gemm.SparseColumns dy,
        StepBuffers b,
        ref GradSink g
    )
    {
        var (dw, db) = GradientsFromSparse(p, (Cache)cache, dy, b);
        g.Add(p.Index, "b", db);
        g.Add(p.Index, "W", dw);
    }

    bool IFusingLayer.FusesForward(Layer next) => next is IEpilogueActivation;

    bool IFusingLayer.FusesBackwardOf(Layer previous) => false;

    (Tensor Y, LayerCache Cache, LayerCache NextCache) IFusingLayer.ForwardFused(
        LayerParams p,
        Tensor x,
        Layer next,
        StepBuffers b
    )
    {
        var act = (IEpilogueActivation)next;
        var (y, c) = Apply(p, x, act.Epilogue, b);
        return (y, c, act.CacheOfOutput(y));
    }

    Tensor IFusingLayer.BackwardFused(
        LayerParams p,
        LayerCache cache,
        Tensor dy,
        LayerCache previousCache,
        StepBuffers b,
        ref GradSink g
    ) => throw new InvalidOperationException($"{Name} applies no backward of the layer before it.");

    /// <summary>The geometry of convolving <paramref name="x"/>, and W and b, checked against the layer.</summary>
    (Im2Col.Geometry G, Tensor W, Tensor B) Checked(LayerParams p, Tensor x)
    {
        var where = $"layer {p.Index} {Name}";
        var (n, c, h, w) = Window2D.Dims(x, InChannels, where);
        var weights = p["W"];
        var bias = p["b"];
        Shape.Require(
            weights.RowCount == Taps && weights.ColumnCount == OutChannels,
            $"{where}: expected W of {Taps}×{OutChannels}, got {weights.ShapeText}."
        );
        Shape.Require(
            bias.RowCount == 1 && bias.ColumnCount == OutChannels,
            $"{where}: expected b of 1×{OutChannels}, got {bias.ShapeText}."
        );
        var (oh, ow) = Window.Output(h, w);
        Shape.Require(oh > 0 && ow > 0, $"{where}: the window does not fit in a {c}×{h}×{w} image.");
        return (new Im2Col.Geometry(n, c, h, w, Window, oh, ow), weights, bias);
    }

    /// <summary>act(conv(x) + b), the output from <paramref name="b"/>'s scratch when given, and the cache.</summary>
    (Tensor Y, Cache Cache) Apply(LayerParams p, Tensor x, FusedActivation act, StepBuffers b)
    {
        var (g, weights, bias) = Checked(p, x);
        var (n, oh, ow) = (g.N, g.OH, g.OW);
        var (col, cd) = StepScratch.New(b.Work, g.Rows, g.Taps);
        Im2Col.Pack(Mat.Data(x), g, cd);
        var y = Affine.Linear(weights, bias, col, act, b.Work);
        return (Mat.Wrap(n, OutChannels * oh * ow, Mat.Data(y)).Reshape(n, OutChannels, oh, ow), new Cache(col, g, x));
    }

    /// <summary>dW = colᵀ·dY, db = the sums of dY over samples and positions, and, when asked, dX: the columns
    /// dY·Wᵀ folded back onto the image.</summary>
    /// <remarks>
    /// dW is computed as its transpose dYᵀ·col (filters × taps) and transposed (a few hundred elements): the same
    /// products in the same order (fma is symmetric in its factors), so the same bits, but split across threads by
    /// filters, where each part packs only its filters' gradients and reads the columns in place; colᵀ·dY split
    /// by filters made every part pack all of col. The bias sums are four columns of dY per part.
    /// </remarks>
    (Tensor DW, Tensor? DX, Tensor DB) Gradients(LayerParams p, Cache c, Tensor dy, bool needDx, StepBuffers b)
    {
        var g = c.Geometry;
        Shape.Require(
            dy.RowCount == g.N && dy.ColumnCount == OutChannels * g.OH * g.OW,
            $"layer {p.Index} {Name} backward: expected a gradient of {g.N}×{OutChannels}×{g.OH}×{g.OW}, got {dy.ShapeText}."
        );
        int rows = g.Rows,
            taps = g.Taps,
            filters = OutChannels;
        var dyd = Mat.Data(dy);
        var (_, dwt) = StepScratch.New(b.Work, filters, taps);
        var weight = new Gemm.Product(true, false, filters, taps, rows, dyd, rows, ColOf(c, b), rows, dwt, filters);
        Tensor? dcol = null;
        if (needDx)
        {
            var w = p["W"];
            Shape.Require(
                w.RowCount == taps && w.ColumnCount == filters,
                $"layer {p.Index} {Name} backward: expected W of {taps}×{filters}, got {w.ShapeText}."
            );
            (dcol, var dcold) = StepScratch.New(b.Work, rows, taps);
            Gemm.MultiplyBoth(
                weight,
                new Gemm.Product(false, true, rows, taps, filters, dyd, rows, Mat.Data(w), taps, dcold, rows)
            );
        }
        else
            Gemm.Multiply(weight);
        var (dw, dwd) = StepScratch.New(b.Grads, taps, filters);
        for (var f = 0; f < filters; f++)
        for (var k = 0; k < taps; k++)
            dwd[k + f * taps] = dwt[f + k * filters];
        var db = new double[filters];
        // Four columns per part: the column sums interleave four independent chains of additions.
        Im2Col.EachChannel(
            (filters + 3) / 4,
            (long)rows * filters,
            (dyd, db, rows),
            static (s, q) =>
            {
                var cols = Math.Min(4, s.db.Length - 4 * q);
                Reductions.ColumnSums(s.dyd.AsSpan(4 * q * s.rows, cols * s.rows), s.rows, s.db.AsSpan(4 * q, cols));
            }
        );
        var bias = Tensor.Wrap(1, filters, db);
        if (dcol is null)
            return (dw, null, bias);
        var (dx, dxd) = StepScratch.New(b.Work, g.N, g.C * g.H * g.W);
        Im2Col.Unpack(Mat.Data(dcol), g, dxd);
        return (dw, dx.Reshape(g.N, g.C, g.H, g.W), bias);
    }

    /// <summary>
    /// dW and db from dY given as its listed elements (<see cref="Gemm.SparseColumns"/>, one column per filter, rows
    /// of the product; every other element +0), with the bits <see cref="Gradients"/> gives on the dense dY: dW by
    /// the product over the listed terms only, in the GEMM's order, and db as the same column sums without the
    /// zeros (adding ±0 to a sum that starts at +0 changes nothing). No dX: the sparse path serves a first layer.
    /// </summary>
    (Tensor DW, Tensor DB) GradientsFromSparse(LayerParams p, Cache c, in Gemm.SparseColumns dy, StepBuffers b)
    {
        var g = c.Geometry;
        Shape.Require(
            dy.Columns == OutChannels,
            $"layer {p.Index} {Name} backward: expected a gradient of {OutChannels} filters, got {dy.Columns}."
        );
        int rows = g.Rows,
            taps = g.Taps,
            filters = OutChannels;
        var (_, dwt) = StepScratch.New(b.Work, filters, taps);
        var (parts, work) = Gemm.SparsePlan(filters, taps, rows);
        var (_, workd) = StepScratch.New(b.Work, Math.Max(1, work), 1);
        var images = new Im2Col.ImageRows(Mat.Data(c.X), g);
        if (!Gemm.MultiplySparseTransposed(filters, taps, rows, dy, images, dwt, filters, workd, parts))
        {
            // An infinity or NaN in the input: 0·∞ counts, so the dense gradient (rare; the loop stops on it anyway).
            var (dense, dd) = StepScratch.New(b.Work, g.N, filters * g.OH * g.OW);
            Array.Clear(dd);
            for (var f = 0; f < filters; f++)
            for (var t = 0; t < dy.Count; t++)
                dd[(int)dy.Rows[f * dy.Stride + t] + f * rows] = dy.Values[f * dy.Stride + t];
            var (dwDense, _, dbDense) = Gradients(p, c, dense, false, b);
            return (dwDense, dbDense);
        }
        var (dw, dwd) = StepScratch.New(b.Grads, taps, filters);
        for (var f = 0; f < filters; f++)
        for (var k = 0; k < taps; k++)
            dwd[k + f * taps] = dwt[f + k * filters];
        var db = new double[filters];
        Reductions.ColumnSums(dy.Values, dy.Stride, dy.Count, db);
        return (dw, Tensor.Wrap(1, filters, db));
    }

    /// <summary>The unfolded input of the cache (unfolded again when the forward did not keep it).</summary>
    static double[] ColOf(Cache c, StepBuffers b)
    {
        if (c.Col is { } col)
            return Mat.Data(col);
        var (_, cd) = StepScratch.New(b.Work, c.Geometry.Rows, c.Geometry.Taps);
        Im2Col.Pack(Mat.Data(c.X), c.Geometry, cd);
        return cd;
    }

    bool IPooledForward.PoolsForward(Layer activation, Layer pool, SampleShape? poolInput) =>
        activation is IEpilogueActivation { Epilogue: FusedActivation.Relu }
        && pool is MaxPool2D max
        && poolInput is { } shape
        && max.Tiles(shape);

    /// <summary>
    /// pool(relu(conv(x) + b)) one output row at a time: the row's block of col, its product with W (bias and ReLU
    /// in the epilogue) and its fold into the pool's maxima, in buffers of one row that stay in cache, so neither
    /// col nor the convolution's output is written out; the output rows are split between the threads by pooled
    /// rows. Every value is computed as in the layers apart (a product's element does not depend on the block it is
    /// computed in; the maxima see the same candidates in the same order): the same bits.
    /// </summary>
    (Tensor Y, LayerCache Conv, LayerCache Activation, LayerCache Pool) IPooledForward.ForwardPooled(
        LayerParams p,
        Tensor x,
        Layer activation,
        Layer pool,
        StepBuffers b
    )
    {
        var max = (MaxPool2D)pool;
        var (g, weights, bias) = Checked(p, x);
        var (n, oh, ow) = (g.N, g.OH, g.OW);
        var gp = new Im2Col.Geometry(n, OutChannels, oh, ow, max.Window, oh / max.Height, ow / max.Width);
        var (y, yd) = StepScratch.New(b.Work, n, OutChannels * gp.OH * gp.OW);
        var (arg, ad) = StepScratch.New(b.Work, n, OutChannels * gp.OH * gp.OW);
        int rowLen = ow * n;
        // Three parts per thread, claimed as the threads come free, so that a thread held up by the host costs a
        // sixth of the stage at most (each part has its own row buffers; the bits do not depend on the parts).
        var threads = (long)g.Rows * Taps * OutChannels >= Gemm.ParallelThreshold ? Workers.Available : 1;
        var parts = Math.Min(gp.OH, threads < 2 ? 1 : 3 * threads);
        // The row's block of col only where the product cannot read the image in place.
        var packs = !(g.Win.Stride == 1 && g.Win.Pad == 0 && Gemm.MultipliesShifted(rowLen, OutChannels, Taps));
        var cols = new double[parts][];
        var outs = new double[parts][];
        for (var part = 0; part < parts; part++)
        {
            cols[part] = packs ? StepScratch.New(b.Work, rowLen, Taps).D : [];
            outs[part] = StepScratch.New(b.Work, rowLen, OutChannels).D;
        }
        // W by rows (tap-major) for the shifted product, once for all the rows.
        var w = Mat.Data(weights);
        var (_, wt) = StepScratch.New(b.Work, Taps, OutChannels);
        for (var f = 0; f < OutChannels; f++)
        for (var t = 0; t < Taps; t++)
            wt[t * OutChannels + f] = w[f * Taps + t];
        var job = new PooledRows(this, Mat.Data(x), g, gp, !packs, w, wt, Mat.Data(bias), cols, outs, yd, ad);
        if (parts < 2 || !Workers.TryRun(job, parts, threads))
            for (var part = 0; part < parts; part++)
                job.RunPart(part, parts);
        var pooled = y.Reshape(n, OutChannels, gp.OH, gp.OW);
        return (pooled, new Cache(null, g, x), NotKept.Instance, MaxPool2D.CacheOf(arg, gp, y));
    }

    /// <summary>A part of <see cref="IPooledForward.ForwardPooled"/>: a range of pooled rows, in the part's own row
    /// buffers.</summary>
    sealed class PooledRows(
        Conv2D layer,
        double[] x,
        Im2Col.Geometry g,
        Im2Col.Geometry gp,
        bool inPlace,
        double[] w,
        double[] wt,
        double[] bias,
        double[][] cols,
        double[][] outs,
        double[] y,
        double[] arg
    ) : PartJob
    {
        public override void RunPart(int part, int parts)
        {
            int rowLen = g.OW * g.N,
                f = layer.OutChannels;
            var (col, output) = (cols[part], outs[part]);
            var (lo, hi) = Workers.Cut(gp.OH, 1, part, parts);
            // In place (stride 1, no padding, a shape the shifted product takes), tap (c, i, j) of output row r is
            // the run of x from N·((c·H + r + i)·W + j): the product reads the image where it lies. Otherwise the
            // row's block of col.
            Span<int> offsets = g.Taps <= 256 ? stackalloc int[g.Taps] : new int[g.Taps];
            for (var i = lo; i < hi; i++)
            for (var r = i * gp.Win.Height; r < (i + 1) * gp.Win.Height; r++)
            {
                for (var t = 0; t < g.Taps; t++)
                {
                    int c = t / (g.Win.Height * g.Win.Width),
                        ki = t / g.Win.Width % g.Win.Height,
                        kj = t % g.Win.Width;
                    offsets[t] = inPlace ? g.N * ((c * g.H + r + ki) * g.W + kj) : t * rowLen;
                }
                if (!inPlace)
                    Im2Col.PackRow(x, g, r, col);
                if (
                    !Gemm.MultiplyShifted(
                        rowLen,
                        f,
                        g.Taps,
                        inPlace ? x : col,
                        offsets,
                        wt,
                        f,
                        bias,
                        relu: true,
                        output,
                        rowLen
                    )
                )
                    Affine.LinearInto(w, bias, col, rowLen, g.Taps, f, FusedActivation.Relu, output);
                MaxPool2D.PoolRow(output, rowLen, gp, r, y, arg);
            }
        }
    }
}
