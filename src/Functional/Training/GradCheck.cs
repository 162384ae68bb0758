using Functional.Core;
using Functional.Layers;
using Functional.Models;
using LanguageExt;

namespace Functional.Training;

/// <summary>How far backprop is from the numerical gradient for one parameter array.</summary>
/// <param name="MeanAbsDiff">mean |analytic − numeric| (the book's figure)</param>
/// <param name="MaxRelError">max |analytic − numeric| / max(max |analytic|, max |numeric|, 1e-6): the worst error
/// relative to the array's own gradient scale, so near-zero entries do not blow it up</param>
public sealed record GradDiff(double MeanAbsDiff, double MaxRelError);

/// <summary>Numerical differentiation and the gradient check of chapters 4–5, without in-place perturbation.</summary>
public static class GradCheck
{
    /// <summary>The default step h of the central differences (the book's 1e-4).</summary>
    public const double H = 1e-4;

    /// <summary>Central difference (f(x+h) − f(x−h)) / 2h.</summary>
    public static double Derivative(Func<double, double> f, double x, double h = H) => (f(x + h) - f(x - h)) / (2 * h);

    /// <summary>Numerical gradient of f at x: each element perturbed on a fresh copy, never on x itself.</summary>
    public static Tensor Gradient(Func<Tensor, double> f, Tensor x, double h = H) =>
        Tensor.Generate(
            x.RowCount,
            x.ColumnCount,
            (i, j) => (f(x.With(i, j, x[i, j] + h)) - f(x.With(i, j, x[i, j] - h))) / (2 * h)
        );

    /// <summary>Plain gradient descent: x ← x − lr·∇f(x), <paramref name="steps"/> times; returns every point visited.</summary>
    public static Seq<Tensor> Descent(Func<Tensor, double> f, Tensor x0, double lr, int steps) =>
        Enumerable.Range(0, steps).Aggregate(Seq1(x0), (path, _) => path.Add(path.Last - lr * Gradient(f, path.Last)));

    static Seq<Tensor> Seq1(Tensor m) => Prelude.Seq1(m);

    /// <summary>
    /// Fourth-order central difference (−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h. The gradient check uses it:
    /// the book's second-order stencil has a truncation error of h²·f‴/6 ≈ 1e-8·f‴, which for a BatchNorm or
    /// softmax network is above the 1e-6 relative bar although backprop is exact; this one's is ≈ 1e-16·f⁽⁵⁾.
    /// </summary>
    public static Tensor Gradient4(Func<Tensor, double> f, Tensor x, double h = H) =>
        Tensor.Generate(
            x.RowCount,
            x.ColumnCount,
            (i, j) =>
            {
                double At(double delta) => f(x.With(i, j, x[i, j] + delta));
                return (-At(2 * h) + 8 * At(h) - 8 * At(-h) + At(-2 * h)) / (12 * h);
            }
        );

    /// <summary>Numerical gradients of the network loss for every parameter (the model state is not advanced).</summary>
    public static Grads Numerical(Network net, Params ps, ModelState st, Tensor x, Tensor t, Ctx ctx) =>
        new(
            ps.Values.Map(
                (key, w) => Gradient4(wi => net.LossOf(new Params(ps.Values.SetItem(key, wi)), st, x, t, ctx), w)
            )
        );

    /// <summary>How far an analytic gradient is from a numerical one of the same shape (see <see
    /// cref="GradDiff"/>).</summary>
    public static GradDiff Compare(Tensor analytic, Tensor numeric)
    {
        Shape.RequireSame(analytic, numeric, "GradCheck.Compare");
        var d = (analytic - numeric).Select(Math.Abs);
        // Floor the scale at 1e-6 so an array whose true gradient is 0 (a bias right before BatchNorm) reports its
        // absolute noise (≈ ε·|loss|/h ≈ 1e-12) instead of dividing noise by noise.
        var scale = Math.Max(1e-6, Math.Max(MaxAbs(analytic.Span), MaxAbs(numeric.Span)));
        return new GradDiff(Mat.Sum(d) / (d.RowCount * (double)d.ColumnCount), MaxAbs(d.Span) / scale);
    }

    static double MaxAbs(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values)
            max = Math.Max(max, Math.Abs(v));
        return max;
    }

    /// <summary>Backprop's input gradient against the numerical one (for layers without parameters).</summary>
    public static GradDiff Input(Network net, Params ps, ModelState st, Tensor x, Tensor t, Ctx ctx)
    {
        var f = net.Forward(ps, st, x, ctx);
        var (_, cache) = net.Loss.Forward(f.Scores, t);
        var (dx, _) = net.Backward(ps, f.Caches, net.Loss.Backward(cache));
        return Compare(dx, Gradient4(xi => net.LossOf(ps, st, xi, t, ctx), x));
    }

    /// <summary>Backprop against numerical gradients, per parameter key.</summary>
    public static Map<ParamKey, GradDiff> Run(Network net, Params ps, ModelState st, Tensor x, Tensor t, Ctx ctx)
    {
        var analytic = net.LossAndGrads(ps, st, x, t, ctx).Grads;
        var numeric = Numerical(net, ps, st, x, t, ctx);
        return analytic.Values.Map((k, a) => Compare(a, numeric[k]));
    }
}
