using System.Runtime.CompilerServices;
using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// BatchNorm conventions. <see cref="RunningDecay"/> is the weight on the OLD running value
/// (running = d·running + (1−d)·batch), so there is no "momentum" ambiguity between the book and Flux.
/// </summary>
public sealed record BatchNormConfig(
    double RunningDecay,
    double Epsilon,
    bool UnbiasedRunningVar,
    double InitialRunningVar
)
{
    /// <summary>The book's common/layers.py: momentum 0.9, eps 10e-7, running_var starts at 0.</summary>
    public static BatchNormConfig Dlfs { get; } = new(0.9, 1e-6, false, 0.0);

    /// <summary>The peer benchmarks and the digits notebook: eps 1e-5, running_var starts at 1.</summary>
    public static BatchNormConfig Reference { get; } = new(0.9, 1e-5, false, 1.0);

    /// <summary>Flux's normalise.jl: momentum 0.1 on the new batch, eps 1e-5, unbiased running variance.</summary>
    public static BatchNormConfig Flux { get; } = new(0.9, 1e-5, true, 1.0);
}

/// <summary>
/// Batch normalisation over features. γ and β are trainable (in <see cref="Params"/>); the running statistics
/// are returned state (in <see cref="ModelState"/>). Training mode normalises with the batch mean and biased
/// variance and returns updated statistics; evaluation mode uses the running statistics and returns them unchanged.
/// </summary>
public sealed record BatchNorm(int Features, BatchNormConfig Config) : Layer
{
    public sealed record P(Matrix Gamma, Matrix Beta); // 1×Features each

    public sealed record Cache(Matrix Xc, Matrix Xn, Matrix Std, Mode Mode) : LayerCache;

    public sealed record G(Matrix DGamma, Matrix DBeta);

    public P InitParams() => new(Mat.Filled(1, Features, 1.0), Mat.Zeros(1, Features));

    public BatchNormStats InitStats() => new(Mat.Zeros(1, Features), Mat.Filled(1, Features, Config.InitialRunningVar));

    public override int Outputs(int inputs)
    {
        Shape.Require(inputs == Features, $"BatchNorm({Features}): expected {Features} input features, got {inputs}.");
        return Features;
    }

    public override string Describe() =>
        $"BatchNorm {Features} (eps {Config.Epsilon:R}, decay {Config.RunningDecay:R})";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (Matrix Y, BatchNormStats Stats, Cache Cache) Forward(
        BatchNorm spec,
        P p,
        BatchNormStats s,
        Matrix x,
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
            var (y, c) = Normalize(x, Mat.Data(s.RunningMean), Mat.Data(s.RunningVar), eps, p, mode);
            return (y, s, c);
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
        var oldMean = Mat.Data(s.RunningMean);
        var oldVar = Mat.Data(s.RunningVar);
        for (var j = 0; j < f; j++)
        {
            var runVar = spec.Config.UnbiasedRunningVar ? variance[j] * unbiased : variance[j];
            rmd[j] = d * oldMean[j] + (1 - d) * mean[j];
            rvd[j] = d * oldVar[j] + (1 - d) * runVar;
        }
        var (yTrain, cache) = Normalize(x, mean, variance, eps, p, mode);
        return (yTrain, new BatchNormStats(rm, rv), cache);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (Matrix DX, G Grads) Backward(P p, Cache c, Matrix dY)
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
    static (Matrix Y, Cache Cache) Normalize(Matrix x, double[] mean, double[] variance, double eps, P p, Mode mode)
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
