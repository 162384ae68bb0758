using Functional.Numerics;

namespace Functional.Core;

/// <summary>Pure samplers: every result is a function of (key, shape) alone.</summary>
public static class Sampling
{
    /// <summary>Uniform [0,1) values, element (i, j) drawn from counter i*cols + j (row-major).</summary>
    public static Tensor Uniform(Key key, int rows, int cols) =>
        Tensor.Generate(rows, cols, (i, j) => key.Uniform((ulong)i * (ulong)cols + (ulong)j));

    /// <summary>Uniform values in [low, high).</summary>
    public static Tensor Uniform(Key key, int rows, int cols, double low, double high) =>
        Tensor.Generate(rows, cols, (i, j) => low + (high - low) * key.Uniform((ulong)i * (ulong)cols + (ulong)j));

    /// <summary>Standard normal values by Box–Muller; element k (row-major) uses draws 2k and 2k+1.</summary>
    public static Tensor Normal(Key key, int rows, int cols) =>
        Tensor.Generate(rows, cols, (i, j) => StandardNormal(key, (ulong)i * (ulong)cols + (ulong)j));

    /// <summary>One standard normal value by Box–Muller from draws 2·<paramref name="index"/> and 2·<paramref
    /// name="index"/>+1.</summary>
    public static double StandardNormal(Key key, ulong index)
    {
        var u1 = 1.0 - key.Uniform(2 * index); // (0, 1]: the log is finite
        var u2 = key.Uniform(2 * index + 1);
        return Math.Sqrt(-2.0 * Elementary.Log(u1)) * Elementary.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A uniform random permutation of 0..n-1 (Fisher–Yates driven by the key's counters).</summary>
    public static int[] Permutation(Key key, int n)
    {
        var p = new int[n];
        for (var i = 0; i < n; i++)
            p[i] = i;
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)(key.Bits((ulong)i) % (ulong)(i + 1));
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }

    /// <summary><paramref name="count"/> indices drawn uniformly from 0..n-1 with replacement.</summary>
    public static int[] Choice(Key key, int n, int count)
    {
        var r = new int[count];
        for (var i = 0; i < count; i++)
            r[i] = (int)(key.Bits((ulong)i) % (ulong)n);
        return r;
    }
}
