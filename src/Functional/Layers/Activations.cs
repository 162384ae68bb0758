using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>max(0, x). The cache keeps the output: its positive entries are exactly the mask.</summary>
public sealed record Relu : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Matrix Y) : LayerCache, IOutputCache;

    /// <inheritdoc/>
    public override string Kind => "relu";

    /// <summary>Element-wise: the output has the input's shape.</summary>
    public override SampleShape OutputShape(SampleShape input) => input;

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Matrix x, Ctx ctx)
    {
        var (y, c) = Forward(x);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Matrix dy) =>
        new(Backward((Cache)cache, dy), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = Kind };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Relu FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "ReLU";

    internal override bool TakesBuffers => true;

    internal override (Matrix Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Matrix x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var (y, c) = Forward(x);
        return (y, c, st);
    }

    internal override Matrix? RunBackward(
        LayerParams p,
        LayerCache cache,
        Matrix dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Backward((Cache)cache, dy, b.Work) : null;

    FusedActivation IEpilogueActivation.Epilogue => FusedActivation.Relu;

    LayerCache IEpilogueActivation.CacheOfOutput(Matrix y) => new Cache(y);

    internal static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Elementwise.Relu(x);
        return (y, new Cache(y));
    }

    internal static Matrix Backward(Cache c, Matrix dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Matrix Backward(Cache c, Matrix dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "ReLU backward");
        return Elementwise.ReluBackward(c.Y, dY, work);
    }
}

/// <summary>1/(1+e^−x); backward uses the output: dx = dy·y·(1−y).</summary>
public sealed record Sigmoid : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Matrix Y) : LayerCache, IOutputCache;

    /// <inheritdoc/>
    public override string Kind => "sigmoid";

    /// <summary>Element-wise: the output has the input's shape.</summary>
    public override SampleShape OutputShape(SampleShape input) => input;

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Matrix x, Ctx ctx)
    {
        var (y, c) = Forward(x);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Matrix dy) =>
        new(Backward((Cache)cache, dy), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = Kind };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Sigmoid FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Sigmoid";

    internal override bool TakesBuffers => true;

    internal override (Matrix Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Matrix x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var (y, c) = Forward(x);
        return (y, c, st);
    }

    internal override Matrix? RunBackward(
        LayerParams p,
        LayerCache cache,
        Matrix dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Backward((Cache)cache, dy, b.Work) : null;

    FusedActivation IEpilogueActivation.Epilogue => FusedActivation.Sigmoid;

    LayerCache IEpilogueActivation.CacheOfOutput(Matrix y) => new Cache(y);

    internal static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Elementwise.Sigmoid(x);
        return (y, new Cache(y));
    }

    internal static Matrix Backward(Cache c, Matrix dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Matrix Backward(Cache c, Matrix dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "Sigmoid backward");
        return Elementwise.SigmoidBackward(c.Y, dY, work);
    }
}

/// <summary>tanh(x); backward: dx = dy·(1−y²).</summary>
public sealed record Tanh : Layer, IEpilogueActivation
{
    /// <summary>The output (what the gradient needs).</summary>
    internal sealed record Cache(Matrix Y) : LayerCache, IOutputCache;

    /// <inheritdoc/>
    public override string Kind => "tanh";

    /// <summary>Element-wise: the output has the input's shape.</summary>
    public override SampleShape OutputShape(SampleShape input) => input;

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Matrix x, Ctx ctx)
    {
        var (y, c) = Forward(x);
        return new LayerForward(y, c);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Matrix dy) =>
        new(Backward((Cache)cache, dy), []);

    /// <inheritdoc/>
    public override JsonObject ToJson() => new() { ["kind"] = Kind };

    /// <summary>Reads the JSON written by <see cref="ToJson"/>.</summary>
    public static Tanh FromJson(JsonObject o) => new();

    /// <inheritdoc/>
    public override string Describe() => "Tanh";

    internal override bool TakesBuffers => true;

    internal override (Matrix Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Matrix x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var (y, c) = Forward(x);
        return (y, c, st);
    }

    internal override Matrix? RunBackward(
        LayerParams p,
        LayerCache cache,
        Matrix dy,
        bool needDx,
        StepBuffers b,
        ref GradSink g
    ) => needDx ? Backward((Cache)cache, dy, b.Work) : null;

    FusedActivation IEpilogueActivation.Epilogue => FusedActivation.Tanh;

    LayerCache IEpilogueActivation.CacheOfOutput(Matrix y) => new Cache(y);

    internal static (Matrix Y, Cache Cache) Forward(Matrix x)
    {
        var y = Elementwise.Tanh(x);
        return (y, new Cache(y));
    }

    internal static Matrix Backward(Cache c, Matrix dY) => Backward(c, dY, null);

    /// <summary>dX from a training loop's scratch when <paramref name="work"/> is given.</summary>
    internal static Matrix Backward(Cache c, Matrix dY, StepScratch? work)
    {
        Shape.RequireSame(c.Y, dY, "Tanh backward");
        return Elementwise.TanhBackward(c.Y, dY, work);
    }
}

/// <summary>
/// One-pass element-wise kernels over column-major storage, each writing a fresh matrix. They compute exactly the
/// expressions of the reference (<c>x &gt; 0 ? x : 0</c>, <c>dy·(y &gt; 0 ? 1 : 0)</c>, <c>1/(1+e^−x)</c>,
/// <c>dy·(y·(1−y))</c>, …), element by element, so the bits match the Map/PointwiseMultiply formulation.
/// </summary>
internal static class Elementwise
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Matrix Relu(Matrix x)
    {
        var (y, d) = Mat.New(x.RowCount, x.ColumnCount);
        var s = Mat.Data(x).AsSpan(0, d.Length);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var zero = Vector256<double>.Zero;
            for (; i + 4 <= s.Length; i += 4)
            {
                var v = Vector256.Create<double>(s.Slice(i, 4));
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, zero), v, zero).CopyTo(d.AsSpan(i, 4));
            }
        }
        for (; i < s.Length; i++)
            d[i] = s[i] > 0 ? s[i] : 0.0;
        return y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Matrix ReluBackward(Matrix yOut, Matrix dY, StepScratch? work = null)
    {
        var (dx, d) = StepScratch.New(work, dY.RowCount, dY.ColumnCount);
        ReluBackward(Mat.Data(yOut).AsSpan(0, d.Length), Mat.Data(dY).AsSpan(0, d.Length), d);
        return dx;
    }

    /// <summary>d = g·(y &gt; 0 ? 1 : 0) element by element; <paramref name="d"/> may be <paramref name="g"/> itself
    /// (each element is read before it is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(ReadOnlySpan<double> y, ReadOnlySpan<double> g, Span<double> d)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var zero = Vector256<double>.Zero;
            var one = Vector256.Create(1.0);
            for (; i + 4 <= d.Length; i += 4)
            {
                var mask = Vector256.ConditionalSelect(
                    Vector256.GreaterThan(Vector256.Create<double>(y.Slice(i, 4)), zero),
                    one,
                    zero
                );
                (Vector256.Create<double>(g.Slice(i, 4)) * mask).CopyTo(d.Slice(i, 4));
            }
        }
        for (; i < d.Length; i++)
            d[i] = g[i] * (y[i] > 0 ? 1.0 : 0.0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Matrix Sigmoid(Matrix x)
    {
        var (y, d) = Mat.New(x.RowCount, x.ColumnCount);
        var s = Mat.Data(x).AsSpan(0, d.Length);
        for (var i = 0; i < s.Length; i++)
            d[i] = 1.0 / (1.0 + Math.Exp(-s[i]));
        return y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Matrix SigmoidBackward(Matrix yOut, Matrix dY, StepScratch? work = null)
    {
        var (dx, d) = StepScratch.New(work, dY.RowCount, dY.ColumnCount);
        var y = Mat.Data(yOut).AsSpan(0, d.Length);
        var g = Mat.Data(dY).AsSpan(0, d.Length);
        for (var i = 0; i < d.Length; i++)
            d[i] = g[i] * (y[i] * (1.0 - y[i]));
        return dx;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Matrix Tanh(Matrix x)
    {
        var (y, d) = Mat.New(x.RowCount, x.ColumnCount);
        var s = Mat.Data(x).AsSpan(0, d.Length);
        for (var i = 0; i < s.Length; i++)
            d[i] = Math.Tanh(s[i]);
        return y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Matrix TanhBackward(Matrix yOut, Matrix dY, StepScratch? work = null)
    {
        var (dx, d) = StepScratch.New(work, dY.RowCount, dY.ColumnCount);
        var y = Mat.Data(yOut).AsSpan(0, d.Length);
        var g = Mat.Data(dY).AsSpan(0, d.Length);
        for (var i = 0; i < d.Length; i++)
            d[i] = g[i] * (1.0 - y[i] * y[i]);
        return dx;
    }
}
