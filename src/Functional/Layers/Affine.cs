using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Kernels;
using Functional.Numerics;

namespace Functional.Layers;

/// <summary>y = x·W + b for a batch of row vectors (the book's Affine, Flux's Dense without activation).</summary>
/// <remarks>
/// The products call the deterministic <see cref="Gemm"/> kernel directly on the column-major arrays (the same
/// kernel, arguments and therefore bits as MathNet's operators through the installed provider, without MathNet's
/// per-call overhead); the bias (and a following activation) is applied to each finished part of the product by
/// the thread that computed it (<see cref="Gemm.Epilogue"/>), and a ReLU before the layer to each part of dX.
/// </remarks>
public sealed record Affine(int In, int Out, WeightInit Init) : Layer, IFusingLayer
{
    /// <summary>W (In×Out) and b (1×Out).</summary>
    internal sealed record P(Tensor W, Tensor B);

    /// <summary>The input batch (dW = xᵀ·dY).</summary>
    internal sealed record Cache(Tensor X) : LayerCache;

    /// <summary>dW and db.</summary>
    internal sealed record G(Tensor DW, Tensor DB);

    static readonly string[] Decayed = ["W"];

    internal P InitParams(Key key) => new(Init.Sample(key, In, Out), Mat.Zeros(1, Out));

    /// <inheritdoc/>
    public override string Kind => "affine";

    /// <inheritdoc/>
    public override SampleShape OutputShape(SampleShape input)
    {
        Shape.Require(
            !input.IsImage && input.Size == In,
            $"Affine({In}→{Out}): expected {In} input features, got {(input.IsImage ? "an image " + input + "; flatten it first" : input.ToString())}."
        );
        return SampleShape.Features(Out);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<ArrayShape> ParamShapes(SampleShape input) => [new("W", In, Out), new("b", 1, Out)];

    /// <summary>W drawn by <see cref="Init"/>, b zero.</summary>
    public override IReadOnlyList<NamedArray> InitParams(Key key, SampleShape input)
    {
        var p = InitParams(key);
        return [new("W", p.W), new("b", p.B)];
    }

    /// <summary>The weights W (not the bias).</summary>
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
        var (dw, dx, db) = Gradients(((Cache)cache).X, p["W"], dy, inputGradient: true);
        return new LayerBackward(dx!, [new("W", dw), new("b", db)]);
    }

    /// <inheritdoc/>
    public override JsonObject ToJson() =>
        new()
        {
            ["kind"] = Kind,
            ["in"] = In,
            ["out"] = Out,
            ["init"] = Init.ToString(),
        };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Affine FromJson(JsonObject o) =>
        new(LayerJson.Int(o, "in"), LayerJson.Int(o, "out"), WeightInit.Parse(LayerJson.Str(o, "init")));

    /// <inheritdoc/>
    public override string Describe() => $"Affine {In}→{Out} (init {Init})";

    internal override bool TakesBuffers => true;

    internal override bool ReadsDeferredBatch => true;

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
    ) => Gradients(p, (Cache)cache, dy, needDx, null, b, ref g);

    bool IFusingLayer.FusesForward(Layer next) => next is IEpilogueActivation;

    bool IFusingLayer.FusesBackwardOf(Layer previous) =>
        previous is IEpilogueActivation { Epilogue: FusedActivation.Relu };

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
    ) => Gradients(p, (Cache)cache, dy, true, ((IOutputCache)previousCache).Y, b, ref g)!;

    /// <summary>act(x·W + b) with the output from <paramref name="b"/>, and the cache.</summary>
    static (Tensor Y, Cache Cache) Apply(LayerParams p, Tensor x, FusedActivation act, StepBuffers b)
    {
        var w = p["W"];
        var bias = p["b"];
        if (x.ColumnCount != w.RowCount)
            throw Shape.ColumnsError(x, w.RowCount, $"layer {p.Index} Affine ({w.RowCount}→{w.ColumnCount})");
        var cache = new Cache(x);
        return (Linear(w, bias, x, act, b.Work, b.Deferred), cache);
    }

    /// <summary>The gradients into <paramref name="g"/> (b, then W), dX when asked.</summary>
    static Tensor? Gradients(
        LayerParams p,
        Cache c,
        Tensor dy,
        bool needDx,
        Tensor? reluBefore,
        StepBuffers b,
        ref GradSink g
    )
    {
        var (dw, dx, db) = Gradients(c.X, p["W"], dy, needDx, b.Work, b.Grads, reluBefore);
        g.Add(p.Index, "b", db);
        g.Add(p.Index, "W", dw);
        return dx;
    }

    internal static (Tensor Y, Cache Cache) Forward(P p, Tensor x, string where = "Affine")
    {
        if (x.ColumnCount != p.W.RowCount)
            throw Shape.ColumnsError(x, p.W.RowCount, $"{where} ({p.W.RowCount}→{p.W.ColumnCount})");
        return (Linear(p.W, p.B, x), new Cache(x));
    }

    /// <summary>A single sample is a batch of one.</summary>
    internal static (Tensor Y, Cache Cache) Forward(P p, ReadOnlySpan<double> x) => Forward(p, Mat.AsBatch(x));

    internal static (Tensor DX, G Grads) Backward(P p, Cache c, Tensor dY)
    {
        var (dw, dx, db) = Gradients(c.X, p.W, dY, inputGradient: true);
        return (dx!, new G(dw, db));
    }

    /// <summary>Xᵀ·dY, the column sums of dY (the bias gradient) and, when asked, dY·Wᵀ: the two products computed at
    /// once (<see cref="Gemm.MultiplyBoth"/>), the sums as a third part beside them.</summary>
    /// <remarks>dX comes from <paramref name="work"/> and dW from <paramref name="grads"/> when given (a training
    /// loop's <see cref="StepScratch"/>), otherwise both are fresh. With <paramref name="reluBefore"/> (the output of
    /// the ReLU that feeds this layer) dX is returned already through that ReLU's backward, dX·(y &gt; 0 ? 1 : 0),
    /// applied by the thread that computed each part of dX: the same bits as the ReLU's own backward after it.</remarks>
    internal static (Tensor DW, Tensor? DX, Tensor DB) Gradients(
        Tensor x,
        Tensor w,
        Tensor dY,
        bool inputGradient,
        StepScratch? work = null,
        StepScratch? grads = null,
        Tensor? reluBefore = null
    )
    {
        int batch = x.RowCount,
            inputs = w.RowCount,
            outputs = w.ColumnCount;
        Shape.Require(
            x.ColumnCount == inputs,
            $"Affine backward: the cached input has {x.ColumnCount} columns, W {inputs} rows."
        );
        Shape.Require(
            dY.RowCount == batch && dY.ColumnCount == outputs,
            $"Affine backward: expected a gradient of {batch}×{outputs}, got {Shape.Of(dY)}."
        );
        var ld = Math.Max(1, batch);
        var (dw, dwd) = StepScratch.New(grads, inputs, outputs);
        var weight = new Gemm.Product(
            true,
            false,
            inputs,
            outputs,
            batch,
            Mat.Data(x),
            ld,
            Mat.Data(dY),
            ld,
            dwd,
            Math.Max(1, inputs)
        );
        if (!inputGradient)
        {
            Gemm.Multiply(weight);
            return (dw, null, Mat.ColumnSums(dY));
        }
        var db = new double[outputs];
        var (dx, dxd) = StepScratch.New(work, batch, inputs);
        if (reluBefore is not null)
            Shape.RequireSame(reluBefore, dx, "ReLU backward");
        Gemm.MultiplyBoth(
            weight,
            new Gemm.Product(
                false,
                true,
                batch,
                inputs,
                outputs,
                Mat.Data(dY),
                ld,
                Mat.Data(w),
                Math.Max(1, inputs),
                dxd,
                ld
            ),
            reluBefore is null ? null : new ReluMask(dxd, ld, Mat.Data(reluBefore)),
            () => Mat.ColumnSumsInto(dY, db) // the bias gradient, on whichever thread is free first
        );
        return (dw, dx, Tensor.Wrap(1, outputs, db));
    }

    /// <summary>dX·(y &gt; 0 ? 1 : 0) on a finished block of dX (the ReLU before the layer, fused).</summary>
    sealed class ReluMask(double[] dx, int ld, double[] y) : Gemm.Epilogue
    {
        public override void Apply(int i0, int i1, int j0, int j1)
        {
            for (var j = j0; j < j1; j++)
            {
                var col = dx.AsSpan(j * ld + i0, i1 - i0);
                Elementwise.ReluBackward(y.AsSpan(j * ld + i0, i1 - i0), col, col);
            }
        }
    }

    /// <summary>x·W + b (shapes already checked).</summary>
    internal static Tensor Linear(Tensor w, Tensor b, Tensor x) => Linear(w, b, x, FusedActivation.None);

    /// <summary>act(x·W + b): the bias and the activation applied to each finished part of the product by the thread
    /// that computed it, with the same expressions as the separate layers (so the same bits). The output comes from <paramref name="work"/>
    /// when given (a training loop's <see cref="StepScratch"/>); x's own values are written by the product from
    /// <paramref name="deferredX"/> when given (a loop's batch not copied yet).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static Tensor Linear(
        Tensor w,
        Tensor b,
        Tensor x,
        FusedActivation act,
        StepScratch? work = null,
        DeferredRows? deferredX = null
    )
    {
        int m = x.RowCount,
            k = w.RowCount,
            n = w.ColumnCount;
        if (b.RowCount != 1 || b.ColumnCount != n)
            throw new ArgumentException($"AddRow: expected a 1×{n} row, got {Shape.Of(b)}.");
        var (y, yd) = StepScratch.New(work, m, n);
        var ld = Math.Max(1, m);
        Gemm.Multiply(
            new Gemm.Product(false, false, m, n, k, Mat.Data(x), ld, Mat.Data(w), Math.Max(1, k), yd, ld)
            {
                FillA = deferredX,
            },
            new BiasActivation(yd, ld, Mat.Data(b), act)
        );
        return y;
    }

    /// <summary>y (m×n) = act(x·W + b) for x m×k and W k×n, all column-major and exactly that size, on the calling
    /// thread: <see cref="Linear(Tensor, Tensor, Tensor, FusedActivation, StepScratch?, DeferredRows?)"/>'s
    /// expressions (so its bits) into an array the caller holds, for a product computed in blocks of rows.</summary>
    internal static void LinearInto(
        double[] w,
        double[] b,
        double[] x,
        int m,
        int k,
        int n,
        FusedActivation act,
        double[] y
    )
    {
        var ld = Math.Max(1, m);
        Gemm.Multiply(
            new Gemm.Product(false, false, m, n, k, x, ld, w, Math.Max(1, k), y, ld),
            new BiasActivation(y, ld, b, act),
            maxThreads: 1
        );
    }

    /// <summary>act(c + b) on a finished block of the product, by the thread that computed it.</summary>
    sealed class BiasActivation(double[] y, int ld, double[] bias, FusedActivation act) : Gemm.Epilogue
    {
        public override double[]? TileBias => act is FusedActivation.None or FusedActivation.Relu ? bias : null;

        public override bool TileRelu => act == FusedActivation.Relu;

        public override void Apply(int i0, int i1, int j0, int j1)
        {
            for (var j = j0; j < j1; j++)
            {
                var bj = bias[j];
                var col = y.AsSpan(j * ld + i0, i1 - i0);
                switch (act)
                {
                    case FusedActivation.None:
                        AddBias(col, bj);
                        break;
                    case FusedActivation.Relu:
                        AddBiasRelu(col, bj);
                        break;
                    case FusedActivation.Sigmoid:
                        AddBias(col, bj);
                        Elementary.Sigmoid(col, col);
                        break;
                    default:
                        AddBias(col, bj);
                        Elementary.Tanh(col, col);
                        break;
                }
            }
        }
    }

    /// <summary>col[i] + b, four at a time (the same IEEE additions as the scalar loop).</summary>
    static void AddBias(Span<double> col, double b)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var bv = Vector256.Create(b);
            for (; i + 4 <= col.Length; i += 4)
                (Vector256.Create<double>(col.Slice(i, 4)) + bv).CopyTo(col.Slice(i, 4));
        }
        for (; i < col.Length; i++)
            col[i] += b;
    }

    /// <summary>
    /// z = col[i] + b, then z &gt; 0 ? z : 0, as a select rather than a branch: the sign of a pre-activation is a
    /// coin toss the branch predictor cannot learn, and the scalar loop's mispredictions cost the 784-[100]×4-10
    /// step ~200 µs when the batch changes every step (measured with the benchmarks' gap probe).
    /// </summary>
    static void AddBiasRelu(Span<double> col, double b)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var bv = Vector256.Create(b);
            var zero = Vector256<double>.Zero;
            for (; i + 4 <= col.Length; i += 4)
            {
                var z = Vector256.Create<double>(col.Slice(i, 4)) + bv;
                Vector256.ConditionalSelect(Vector256.GreaterThan(z, zero), z, zero).CopyTo(col.Slice(i, 4));
            }
        }
        for (; i < col.Length; i++)
        {
            var z = col[i] + b;
            col[i] = z > 0 ? z : 0.0;
        }
    }
}
