namespace Functional.Cli.Experiments;

/// <summary>Curve smoothing for noisy per-step losses.</summary>
public static class Smooth
{
    /// <summary>
    /// Centered moving average over <paramref name="window"/> points (odd), truncated at the ends (the last value
    /// is the mean of the last window/2 + 1 points: no padding, and no single noisy step at the end). NaN entries
    /// (after a divergence) are skipped; a window with none left is NaN. Summed with a plain loop, so the bits
    /// are the same everywhere.
    /// </summary>
    public static double[] Centered(IReadOnlyList<double> xs, int window)
    {
        var half = Math.Max(0, window / 2);
        var n = xs.Count;
        var r = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            var count = 0;
            for (var j = Math.Max(0, i - half); j <= Math.Min(n - 1, i + half); j++)
                if (!double.IsNaN(xs[j]))
                {
                    sum += xs[j];
                    count++;
                }
            r[i] = count == 0 ? double.NaN : sum / count;
        }
        return r;
    }
}
