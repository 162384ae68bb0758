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

    public static (Matrix Y, BatchNormStats Stats, Cache Cache) Forward(
        BatchNorm spec,
        P p,
        BatchNormStats s,
        Matrix x,
        Mode mode
    )
    {
        Shape.RequireColumns(x, spec.Features, $"BatchNorm({spec.Features})");
        if (mode == Mode.Eval)
        {
            var (y, c) = Normalize(x, s.RunningMean, s.RunningVar, spec.Config.Epsilon, p, mode);
            return (y, s, c);
        }
        Shape.Require(
            x.RowCount > 1,
            $"BatchNorm({spec.Features}) in training mode needs a batch of more than one sample (got 1×{x.ColumnCount}): "
                + "the batch variance of one sample is 0. Use a larger batch or Mode.Eval."
        );
        var mean = Mat.ColumnMeans(x);
        var variance = ColumnVariance(x, mean);
        var n = x.RowCount;
        var runVar = spec.Config.UnbiasedRunningVar ? variance * (n / (n - 1.0)) : variance;
        var d = spec.Config.RunningDecay;
        var next = new BatchNormStats(s.RunningMean * d + mean * (1 - d), s.RunningVar * d + runVar * (1 - d));
        var (yTrain, cache) = Normalize(x, mean, variance, spec.Config.Epsilon, p, mode);
        return (yTrain, next, cache);
    }

    public static (Matrix DX, G Grads) Backward(P p, Cache c, Matrix dY)
    {
        Shape.RequireSame(c.Xn, dY, "BatchNorm backward");
        var dBeta = Mat.ColumnSums(dY);
        var dGamma = Mat.ColumnSums(c.Xn.PointwiseMultiply(dY));
        var dXn = ScaleColumns(dY, p.Gamma);
        if (c.Mode == Mode.Eval) // statistics are constants in evaluation mode
            return (DivideColumns(dXn, c.Std), new G(dGamma, dBeta));
        var n = dY.RowCount;
        var dXc = DivideColumns(dXn, c.Std);
        var dStd = -Mat.ColumnSums(dXn.PointwiseMultiply(c.Xc)).PointwiseDivide(c.Std.PointwiseMultiply(c.Std));
        var dVar = 0.5 * dStd.PointwiseDivide(c.Std);
        dXc += ScaleColumns(c.Xc, dVar) * (2.0 / n);
        var dMu = Mat.ColumnSums(dXc);
        return (dXc - BroadcastRow(dMu / n, n), new G(dGamma, dBeta));
    }

    static (Matrix Y, Cache Cache) Normalize(Matrix x, Matrix mean, Matrix variance, double eps, P p, Mode mode)
    {
        var xc = x - BroadcastRow(mean, x.RowCount);
        var std = variance.Map(v => Math.Sqrt(v + eps));
        var xn = DivideColumns(xc, std);
        var y = Mat.AddRow(ScaleColumns(xn, p.Gamma), p.Beta);
        return (y, new Cache(xc, xn, std, mode));
    }

    static Matrix ColumnVariance(Matrix x, Matrix mean)
    {
        var xc = x - BroadcastRow(mean, x.RowCount);
        return Mat.ColumnSums(xc.PointwiseMultiply(xc)) / x.RowCount;
    }

    static Matrix BroadcastRow(Matrix row, int rows) => Matrix.Build.Dense(rows, row.ColumnCount, (_, j) => row[0, j]);

    static Matrix ScaleColumns(Matrix x, Matrix row) => x.PointwiseMultiply(BroadcastRow(row, x.RowCount));

    static Matrix DivideColumns(Matrix x, Matrix row) => x.PointwiseDivide(BroadcastRow(row, x.RowCount));
}
