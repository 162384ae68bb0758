using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// BatchNorm conventions. <see cref="RunningDecay"/> is the weight on the OLD running value
/// (running = d·running + (1−d)·batch), so there is no "momentum" ambiguity between the book and Flux.
/// </summary>
/// <param name="RunningDecay">The weight d on the old running value.</param>
/// <param name="Epsilon">Added to the variance before the square root.</param>
/// <param name="UnbiasedRunningVar">Whether the running variance takes the batch variance times n/(n − 1).</param>
/// <param name="InitialRunningVar">The running variance's initial value (the running mean starts at 0).</param>
public sealed record BatchNormConfig(
    double RunningDecay,
    double Epsilon,
    bool UnbiasedRunningVar,
    double InitialRunningVar
)
{
    /// <summary>The book's common/layers.py: momentum 0.9, eps 10e-7, running_var starts at 0.</summary>
    public static BatchNormConfig Dlfs { get; } = new(0.9, 1e-6, false, 0.0);

    /// <summary>The peer benchmarks (np_layers.py): eps 1e-5, running_var starts at 1.</summary>
    public static BatchNormConfig Reference { get; } = new(0.9, 1e-5, false, 1.0);

    /// <summary>Flux's normalise.jl: momentum 0.1 on the new batch, eps 1e-5, unbiased running variance.</summary>
    public static BatchNormConfig Flux { get; } = new(0.9, 1e-5, true, 1.0);
}

/// <summary>Running statistics of one BatchNorm layer (1×features each): its state arrays "mean" and "var".</summary>
internal sealed record BatchNormStats(Tensor RunningMean, Tensor RunningVar);

/// <summary>
/// Batch normalisation over features. γ and β are trainable (in <see cref="Params"/>); the running statistics
/// are returned state (in <see cref="ModelState"/>). Training mode normalises with the batch mean and biased
/// variance and returns updated statistics; evaluation mode uses the running statistics and returns them unchanged.
/// </summary>
public sealed record BatchNorm(int Features, BatchNormConfig Config) : Layer
{
    /// <summary>γ and β, 1×Features each.</summary>
    internal sealed record P(Tensor Gamma, Tensor Beta);

    /// <summary>x − mean, the normalised input, √(var + ε) and the mode of the forward call.</summary>
    internal sealed record Cache(Tensor Xc, Tensor Xn, Tensor Std, Mode Mode) : LayerCache;

    /// <summary>dγ and dβ.</summary>
    internal sealed record G(Tensor DGamma, Tensor DBeta);

    internal P InitParams() => new(Mat.Filled(1, Features, 1.0), Mat.Zeros(1, Features));

    internal BatchNormStats InitStats() =>
        new(Mat.Zeros(1, Features), Mat.Filled(1, Features, Config.InitialRunningVar));

    /// <inheritdoc/>
    public override string Kind => "batchnorm";

    /// <inheritdoc/>
    public override SampleShape OutputShape(SampleShape input)
    {
        Shape.Require(
            !input.IsImage && input.Size == Features,
            $"BatchNorm({Features}): expected {Features} input features, got {input}."
        );
        return input;
    }

    /// <summary>β and γ, 1×<see cref="Features"/> each.</summary>
    public override IReadOnlyList<ArrayShape> ParamShapes(SampleShape input) =>
        [new("beta", 1, Features), new("gamma", 1, Features)];

    /// <summary>β = 0, γ = 1.</summary>
    public override IReadOnlyList<NamedArray> InitParams(Key key, SampleShape input)
    {
        var p = InitParams();
        return [new("beta", p.Beta), new("gamma", p.Gamma)];
    }

    /// <summary>The running mean and variance, 1×<see cref="Features"/> each.</summary>
    public override IReadOnlyList<ArrayShape> StateShapes(SampleShape input) =>
        [new("mean", 1, Features), new("var", 1, Features)];

    /// <summary>Running mean 0, running variance <see cref="BatchNormConfig.InitialRunningVar"/>.</summary>
    public override IReadOnlyList<NamedArray> InitState(SampleShape input)
    {
        var s = InitStats();
        return [new("mean", s.RunningMean), new("var", s.RunningVar)];
    }

    /// <inheritdoc/>
    public override LayerForward Forward(LayerParams p, LayerState s, Tensor x, Ctx ctx)
    {
        var (y, c, st) = Run(p, s.All, x, ctx, StepBuffers.None);
        return ReferenceEquals(st, s.All)
            ? new LayerForward(y, c)
            : new LayerForward(y, c, [new("mean", st[p.Index, "mean"]), new("var", st[p.Index, "var"])]);
    }

    /// <inheritdoc/>
    public override LayerBackward Backward(LayerParams p, LayerCache cache, Tensor dy)
    {
        var (dx, g) = Backward(new P(p["gamma"], p["beta"]), (Cache)cache, dy);
        return new LayerBackward(dx, [new("beta", g.DBeta), new("gamma", g.DGamma)]);
    }

    /// <inheritdoc/>
    public override JsonObject ToJson() =>
        new()
        {
            ["kind"] = Kind,
            ["features"] = Features,
            ["running_decay"] = Config.RunningDecay,
            ["epsilon"] = Config.Epsilon,
            ["unbiased_running_var"] = Config.UnbiasedRunningVar,
            ["initial_running_var"] = Config.InitialRunningVar,
        };

    /// <summary>Reads the JSON written by <see cref="ToJson"/> (<c>unbiased_running_var</c> defaults to false).</summary>
    public static BatchNorm FromJson(JsonObject o) =>
        new(
            LayerJson.Int(o, "features"),
            new BatchNormConfig(
                LayerJson.Num(o, "running_decay"),
                LayerJson.Num(o, "epsilon"),
                o["unbiased_running_var"]?.GetValue<bool>() ?? false,
                LayerJson.Num(o, "initial_running_var")
            )
        );

    /// <inheritdoc/>
    public override string Describe() =>
        $"BatchNorm {Features} (eps {Config.Epsilon:R}, decay {Config.RunningDecay:R})";

    internal override bool TakesBuffers => true;

    internal override (Tensor Y, LayerCache Cache, ModelState State) Run(
        LayerParams p,
        ModelState st,
        Tensor x,
        Ctx ctx,
        StepBuffers b
    )
    {
        var i = p.Index;
        var mean = st.Values.Find(new ParamKey(i, "mean")).IfNoneUnsafe((Tensor?)null);
        var variance = st.Values.Find(new ParamKey(i, "var")).IfNoneUnsafe((Tensor?)null);
        if (mean is null || variance is null)
            throw new ArgumentException(
                $"layer {i} BatchNorm: the model state has no running statistics for it; build it with Network.InitState()."
            );
        var (y, nextMean, nextVar, c) = Forward(this, new P(p["gamma"], p["beta"]), mean, variance, x, ctx.Mode);
        return (
            y,
            c,
            ReferenceEquals(nextMean, mean)
                ? st
                : new ModelState(
                    st.Values.AddOrUpdate(new ParamKey(i, "mean"), nextMean)
                        .AddOrUpdate(new ParamKey(i, "var"), nextVar)
                )
        );
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
        var (dx, gi) = Backward(new P(p["gamma"], p["beta"]), (Cache)cache, dy);
        g.Add(p.Index, "gamma", gi.DGamma);
        g.Add(p.Index, "beta", gi.DBeta);
        return dx;
    }

    internal static (Tensor Y, BatchNormStats Stats, Cache Cache) Forward(
        BatchNorm spec,
        P p,
        BatchNormStats s,
        Tensor x,
        Mode mode
    )
    {
        var (y, mean, variance, c) = Forward(spec, p, s.RunningMean, s.RunningVar, x, mode);
        return (y, ReferenceEquals(mean, s.RunningMean) ? s : new BatchNormStats(mean, variance), c);
    }

    /// <summary>The output, the running statistics after the batch (the given ones in evaluation mode) and the cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static (Tensor Y, Tensor Mean, Tensor Var, Cache Cache) Forward(
        BatchNorm spec,
        P p,
        Tensor runningMean,
        Tensor runningVar,
        Tensor x,
        Mode mode
    )
    {
        if (x.ColumnCount != spec.Features)
            throw Shape.ColumnsError(x, spec.Features, $"BatchNorm({spec.Features})");
        int n = x.RowCount,
            f = spec.Features;
        var eps = spec.Config.Epsilon;
        if (mode == Mode.Eval)
        {
            var (y, c) = Normalize(x, Mat.Data(runningMean), Mat.Data(runningVar), eps, p, mode);
            return (y, runningMean, runningVar, c);
        }
        Shape.Require(
            n > 1,
            $"BatchNorm({spec.Features}) in training mode needs a batch of more than one sample (got 1×{x.ColumnCount}): the batch variance of one sample is 0. Use a larger batch or Mode.Eval."
        );
        // One pass per column for the mean, one for the variance; the statistics in the reference's order:
        // mean = Σx·(1/n), var = Σ(x−mean)²·(1/n), running = d·running + (1−d)·batch.
        var xd = Mat.Data(x);
        var mean = new double[f];
        var variance = new double[f];
        var inv = 1.0 / n;
        for (var j = 0; j < f; j++)
        {
            var col = xd.AsSpan(j * n, n);
            var sum = 0.0;
            foreach (var v in col)
                sum += v;
            var mu = sum * inv;
            var ss = 0.0;
            foreach (var v in col)
            {
                var e = v - mu;
                ss += e * e;
            }
            mean[j] = mu;
            variance[j] = ss * inv;
        }
        var d = spec.Config.RunningDecay;
        var unbiased = n / (n - 1.0);
        var (rm, rmd) = Mat.New(1, f);
        var (rv, rvd) = Mat.New(1, f);
        var oldMean = Mat.Data(runningMean);
        var oldVar = Mat.Data(runningVar);
        for (var j = 0; j < f; j++)
        {
            var runVar = spec.Config.UnbiasedRunningVar ? variance[j] * unbiased : variance[j];
            rmd[j] = d * oldMean[j] + (1 - d) * mean[j];
            rvd[j] = d * oldVar[j] + (1 - d) * runVar;
        }
        var (yTrain, cache) = Normalize(x, mean, variance, eps, p, mode);
        return (yTrain, rm, rv, cache);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (Tensor DX, G Grads) Backward(P p, Cache c, Tensor dY)
    {
        Shape.RequireSame(c.Xn, dY, "BatchNorm backward");
        int n = dY.RowCount,
            f = dY.ColumnCount;
        var dyd = Mat.Data(dY);
        var xnd = Mat.Data(c.Xn);
        var xcd = Mat.Data(c.Xc);
        var std = Mat.Data(c.Std);
        var gamma = Mat.Data(p.Gamma);
        var (dBeta, dBetaD) = Mat.New(1, f);
        var (dGamma, dGammaD) = Mat.New(1, f);
        var (dx, dxd) = Mat.New(n, f);
        var train = c.Mode == Mode.Train;
        var twoOverN = 2.0 / n;
        var inv = 1.0 / n;
        for (var j = 0; j < f; j++)
        {
            var dy = dyd.AsSpan(j * n, n);
            var xn = xnd.AsSpan(j * n, n);
            var xc = xcd.AsSpan(j * n, n);
            var o = dxd.AsSpan(j * n, n);
            var g = gamma[j];
            var sd = std[j];
            // Pass 1: Σdy, Σxn·dy and Σ(dy·γ)·xc, each summed top to bottom.
            double sumDy = 0,
                sumXnDy = 0,
                sumDxnXc = 0;
            for (var i = 0; i < dy.Length; i++)
            {
                sumDy += dy[i];
                sumXnDy += xn[i] * dy[i];
                sumDxnXc += dy[i] * g * xc[i];
            }
            dBetaD[j] = sumDy;
            dGammaD[j] = sumXnDy;
            if (!train) // statistics are constants in evaluation mode
            {
                for (var i = 0; i < o.Length; i++)
                    o[i] = dy[i] * g / sd;
                continue;
            }
            // dstd = −Σ(dxn·xc)/std², dvar = 0.5·dstd/std; pass 2: dxc = dxn/std + xc·dvar·(2/n) and Σdxc;
            // pass 3: dx = dxc − Σdxc·(1/n).
            var dStd = -sumDxnXc / (sd * sd);
            var dVar = 0.5 * (dStd / sd);
            var dMu = 0.0;
            for (var i = 0; i < o.Length; i++)
            {
                var dxc = dy[i] * g / sd + xc[i] * dVar * twoOverN;
                o[i] = dxc;
                dMu += dxc;
            }
            var shift = dMu * inv;
            for (var i = 0; i < o.Length; i++)
                o[i] -= shift;
        }
        return (dx, new G(dGamma, dBeta));
    }

    /// <summary>xc = x − mean, std = √(var + ε), xn = xc/std, y = xn·γ + β: one pass per column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static (Tensor Y, Cache Cache) Normalize(Tensor x, double[] mean, double[] variance, double eps, P p, Mode mode)
    {
        int n = x.RowCount,
            f = x.ColumnCount;
        Shape.Require(
            p.Gamma.ColumnCount == f && p.Beta.ColumnCount == f && mean.Length == f && variance.Length == f,
            $"BatchNorm({f}): γ, β and the statistics must be 1×{f}."
        );
        var xd = Mat.Data(x);
        var gamma = Mat.Data(p.Gamma);
        var beta = Mat.Data(p.Beta);
        var (xc, xcd) = Mat.New(n, f);
        var (xn, xnd) = Mat.New(n, f);
        var (y, yd) = Mat.New(n, f);
        var (std, sd) = Mat.New(1, f);
        for (var j = 0; j < f; j++)
        {
            var s = Math.Sqrt(variance[j] + eps);
            sd[j] = s;
            var mu = mean[j];
            var g = gamma[j];
            var b = beta[j];
            var src = xd.AsSpan(j * n, n);
            var c = xcd.AsSpan(j * n, n);
            var z = xnd.AsSpan(j * n, n);
            var o = yd.AsSpan(j * n, n);
            for (var i = 0; i < src.Length; i++)
            {
                var e = src[i] - mu;
                var q = e / s;
                c[i] = e;
                z[i] = q;
                o[i] = q * g + b;
            }
        }
        return (y, new Cache(xc, xn, std, mode));
    }
}
