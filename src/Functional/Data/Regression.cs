using System.Collections.Immutable;
using Functional.Core;
using Functional.Numerics;

namespace Functional.Data;

/// <summary>The Flux polynomial-regression example: a noisy-looking but deterministic 1-D curve.</summary>
public static class Regression
{
    /// <summary>Number of polynomial features 1, x, …, x⁵.</summary>
    public const int Features = 6;

    /// <summary>x_i = -2 + 4 i / (n - 1), i = 0..n-1: n evenly spaced points covering [-2, 2] exactly.</summary>
    public static ImmutableArray<double> Xs(int n = 300)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        var xs = new double[n];
        for (int i = 0; i < n; i++)
            xs[i] = -2.0 + 4.0 * i / (n - 1);
        return [.. xs];
    }

    /// <summary>The target y = 3x + 2x² + 1 + 3 cos(20x).</summary>
    public static double Curve(double x) => 3 * x + 2 * x * x + 1 + 3 * Elementary.Cos(20 * x);

    /// <summary>X has the features φ_k = x^k for k = 0..5 (first column all ones), T the single column y.</summary>
    public static Dataset Flux(int n = 300)
    {
        var xs = Xs(n);
        var phi = new double[n * Features];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double p = 1;
            for (int k = 0; k < Features; k++, p *= xs[i])
                phi[k * n + i] = p;
            y[i] = Curve(xs[i]);
        }
        return new Dataset("flux", Tensor.Wrap(n, Features, phi), Tensor.Wrap(n, 1, y), [], []);
    }
}
