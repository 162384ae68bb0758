using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Functional.Kernels;

namespace Functional.Core;

/// <summary>
/// Small matrix helpers. Each returns a new matrix; mutation happens only on the fresh local result
/// before it is returned (STYLE.md's one mutation rule). Loops run over MathNet's column-major storage
/// in a fixed order, so every result is bitwise reproducible.
/// </summary>
public static partial class Mat
{
    /// <summary>A rows×cols tensor of zeros.</summary>
    public static Tensor Zeros(int rows, int cols) => Tensor.Zeros(rows, cols);

    /// <summary>A rows×cols tensor with every element <paramref name="value"/>.</summary>
    public static Tensor Filled(int rows, int cols, double value) => Tensor.Filled(rows, cols, value);

    /// <summary>A 1×n tensor of <paramref name="values"/> (one sample, or a bias).</summary>
    public static Tensor Row(params double[] values) => Tensor.Row(values);

    /// <summary>A tensor with one row per array of <paramref name="rows"/>; every row must have the same
    /// length.</summary>
    public static Tensor FromRows(double[][] rows) => Tensor.FromRows(rows);

    /// <summary>A single sample becomes a batch of one (1×n).</summary>
    public static Tensor AsBatch(ReadOnlySpan<double> sample) => Tensor.Row(sample);

    /// <summary>The tensor's storage (column-major): library code reads it, and writes only a tensor it has just
    /// made and not yet returned.</summary>
    internal static double[] Data(Tensor m) => m.Storage;

    /// <summary>
    /// A fresh dense rows×cols matrix and its column-major storage, NOT zeroed: the caller writes every element
    /// before the matrix leaves it (the one mutation rule: only the creator writes, and only before returning).
    /// </summary>
    internal static (Tensor M, double[] D) New(int rows, int cols) =>
        Wrapped(rows, cols, GC.AllocateUninitializedArray<double>(rows * cols));

    /// <summary><see cref="New"/> whose storage is a dead state's array from <paramref name="pool"/> when it
    /// holds one of the length (a training fold's optimizer update, <see cref="Recycler"/>).</summary>
    internal static (Tensor M, double[] D) NewReusing(int rows, int cols, Recycler? pool) =>
        Wrapped(rows, cols, pool?.Take(rows * cols) ?? GC.AllocateUninitializedArray<double>(rows * cols));

    static (Tensor M, double[] D) Wrapped(int rows, int cols, double[] d) => (Tensor.Wrap(rows, cols, d), d);

    /// <summary>Wraps a fresh column-major array (not copied; the caller gives it up).</summary>
    internal static Tensor Wrap(int rows, int cols, double[] data) => Tensor.Wrap(rows, cols, data);

    /// <summary>x + row, the row broadcast over every sample (row is 1×cols).</summary>
    public static Tensor AddRow(Tensor x, Tensor row)
    {
        Shape.Require(
            row.RowCount == 1 && row.ColumnCount == x.ColumnCount,
            $"AddRow: expected a 1×{x.ColumnCount} row, got {Shape.Of(row)}."
        );
        var (r, d) = New(x.RowCount, x.ColumnCount);
        Data(x).CopyTo(d, 0);
        var b = Data(row);
        var n = x.RowCount;
        for (var j = 0; j < x.ColumnCount; j++)
        {
            var bj = b[j];
            var col = d.AsSpan(j * n, n);
            for (var i = 0; i < col.Length; i++)
                col[i] += bj;
        }
        return r;
    }

    /// <summary>Column sums as a 1×cols row, each summed top to bottom (<see cref="Reductions.ColumnSums(ReadOnlySpan{double}, int, Span{double})"/>).</summary>
    public static Tensor ColumnSums(Tensor x)
    {
        var s = new double[x.ColumnCount];
        ColumnSumsInto(x, s);
        return Tensor.Wrap(1, s.Length, s);
    }

    /// <summary><see cref="ColumnSums"/> into <paramref name="s"/> (one per column): the same sums, allocating
    /// nothing, so it can run on a worker.</summary>
    internal static void ColumnSumsInto(Tensor x, double[] s) => Reductions.ColumnSums(Data(x), x.RowCount, s);

    /// <summary>Column means as a 1×cols row: each sum times 1/n (MathNet's scalar division, kept for its bits).</summary>
    public static Tensor ColumnMeans(Tensor x) => ColumnSums(x) * (1.0 / x.RowCount);

    /// <summary>Sum of all elements in storage order (deterministic).</summary>
    public static double Sum(Tensor x)
    {
        var acc = 0.0;
        foreach (var v in Data(x))
            acc += v;
        return acc;
    }

    /// <summary>The sum of the squared elements, accumulated in storage (column-major) order.</summary>
    public static double SumOfSquares(Tensor x)
    {
        var acc = 0.0;
        foreach (var v in Data(x))
            acc += v * v;
        return acc;
    }

    /// <summary>Index of the largest value in each row (the first on ties).</summary>
    public static int[] ArgMaxRows(Tensor x)
    {
        var d = Data(x);
        var n = x.RowCount;
        var best = new int[n];
        var max = new double[n];
        Array.Fill(max, double.NegativeInfinity);
        for (var j = 0; j < x.ColumnCount; j++)
        for (var i = 0; i < n; i++)
        {
            var v = d[j * n + i];
            if (v > max[i])
            {
                max[i] = v;
                best[i] = j;
            }
        }
        return best;
    }

    /// <summary>One-hot rows for integer labels.</summary>
    public static Tensor OneHot(ReadOnlySpan<int> labels, int classes)
    {
        var m = new double[labels.Length * classes];
        for (var i = 0; i < labels.Length; i++)
        {
            var c = labels[i];
            if ((uint)c >= (uint)classes)
                throw new ArgumentException($"OneHot: label {c} at row {i} is outside 0..{classes - 1}.");
            m[c * labels.Length + i] = 1.0;
        }
        return Tensor.Wrap(labels.Length, classes, m);
    }

    /// <summary>The blocks one under the other (all with the same number of columns).</summary>
    public static Tensor StackRows(IReadOnlyList<Tensor> blocks)
    {
        var rows = blocks.Sum(b => b.RowCount);
        var cols = blocks[0].ColumnCount;
        var dst = new double[rows * cols];
        var r0 = 0;
        foreach (var b in blocks)
        {
            Shape.Require(b.ColumnCount == cols, $"StackRows: expected {cols} columns, got {Shape.Of(b)}.");
            var src = Data(b);
            for (var j = 0; j < cols; j++)
                Array.Copy(src, j * b.RowCount, dst, j * rows + r0, b.RowCount);
            r0 += b.RowCount;
        }
        return Tensor.Wrap(rows, cols, dst);
    }

    /// <summary>Rows [start, start+count).</summary>
    public static Tensor RowRange(Tensor x, int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, x.RowCount, nameof(count));
        var (r, d) = New(count, x.ColumnCount);
        var src = Data(x);
        for (var j = 0; j < x.ColumnCount; j++)
            Array.Copy(src, j * x.RowCount + start, d, j * count, count);
        return r;
    }

    /// <summary>Bitwise equality of shape and every element (NaNs with equal bits compare equal).</summary>
    public static bool BitwiseEqual(Tensor a, Tensor b)
    {
        if (a.RowCount != b.RowCount || a.ColumnCount != b.ColumnCount)
            return false;
        var x = Data(a);
        var y = Data(b);
        for (var i = 0; i < x.Length; i++)
            if (BitConverter.DoubleToInt64Bits(x[i]) != BitConverter.DoubleToInt64Bits(y[i]))
                return false;
        return true;
    }
}
