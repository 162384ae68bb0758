using MathNet.Numerics.LinearAlgebra;

namespace Functional.Core;

/// <summary>
/// Small matrix helpers. Each returns a new matrix; mutation happens only on the fresh local result
/// before it is returned (STYLE.md's one mutation rule). Loops run over MathNet's column-major storage
/// in a fixed order, so every result is bitwise reproducible.
/// </summary>
public static class Mat
{
    public static Matrix Zeros(int rows, int cols) => Matrix.Build.Dense(rows, cols);

    public static Matrix Filled(int rows, int cols, double value) => Matrix.Build.Dense(rows, cols, value);

    public static Matrix Row(params double[] values) => Matrix.Build.Dense(1, values.Length, (double[])values.Clone());

    public static Matrix FromRows(double[][] rows) => Matrix.Build.DenseOfRowArrays(rows);

    /// <summary>A single sample given as a vector becomes a batch of one (1×n).</summary>
    public static Matrix AsBatch(Vector<double> v) => v.ToRowMatrix();

    public static double[] Data(Matrix m) => m.AsColumnMajorArray() ?? m.ToColumnMajorArray();

    /// <summary>x + row, the row broadcast over every sample (row is 1×cols).</summary>
    public static Matrix AddRow(Matrix x, Matrix row)
    {
        Shape.Require(
            row.RowCount == 1 && row.ColumnCount == x.ColumnCount,
            $"AddRow: expected a 1×{x.ColumnCount} row, got {Shape.Of(row)}."
        );
        var r = x.Clone();
        var d = Data(r);
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

    /// <summary>Column sums as a 1×cols row, each summed top to bottom.</summary>
    public static Matrix ColumnSums(Matrix x)
    {
        var d = Data(x);
        var n = x.RowCount;
        var s = new double[x.ColumnCount];
        for (var j = 0; j < s.Length; j++)
        {
            var acc = 0.0;
            var col = d.AsSpan(j * n, n);
            for (var i = 0; i < col.Length; i++)
                acc += col[i];
            s[j] = acc;
        }
        return Matrix.Build.Dense(1, s.Length, s);
    }

    /// <summary>Column means as a 1×cols row.</summary>
    public static Matrix ColumnMeans(Matrix x) => ColumnSums(x) / x.RowCount;

    /// <summary>Sum of all elements in storage order (deterministic).</summary>
    public static double Sum(Matrix x)
    {
        var acc = 0.0;
        foreach (var v in Data(x))
            acc += v;
        return acc;
    }

    public static double SumOfSquares(Matrix x)
    {
        var acc = 0.0;
        foreach (var v in Data(x))
            acc += v * v;
        return acc;
    }

    /// <summary>Index of the largest value in each row (the first on ties).</summary>
    public static int[] ArgMaxRows(Matrix x)
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
    public static Matrix OneHot(ReadOnlySpan<int> labels, int classes)
    {
        var m = new double[labels.Length * classes];
        for (var i = 0; i < labels.Length; i++)
        {
            var c = labels[i];
            if ((uint)c >= (uint)classes)
                throw new ArgumentException($"OneHot: label {c} at row {i} is outside 0..{classes - 1}.");
            m[c * labels.Length + i] = 1.0;
        }
        return Matrix.Build.Dense(labels.Length, classes, m);
    }

    /// <summary>The rows at <paramref name="index"/>, in that order.</summary>
    public static Matrix Rows(Matrix x, ReadOnlySpan<int> index)
    {
        var src = Data(x);
        var n = x.RowCount;
        var k = index.Length;
        var dst = new double[k * x.ColumnCount];
        for (var j = 0; j < x.ColumnCount; j++)
        {
            var so = j * n;
            var d = j * k;
            for (var i = 0; i < k; i++)
                dst[d + i] = src[so + index[i]];
        }
        return Matrix.Build.Dense(k, x.ColumnCount, dst);
    }

    /// <summary>The blocks one under the other (all with the same number of columns).</summary>
    public static Matrix StackRows(IReadOnlyList<Matrix> blocks)
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
        return Matrix.Build.Dense(rows, cols, dst);
    }

    /// <summary>Rows [start, start+count).</summary>
    public static Matrix RowRange(Matrix x, int start, int count) => x.SubMatrix(start, count, 0, x.ColumnCount);

    /// <summary>Bitwise equality of shape and every element (NaNs with equal bits compare equal).</summary>
    public static bool BitwiseEqual(Matrix a, Matrix b)
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
