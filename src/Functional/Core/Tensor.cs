using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Functional.Core;

/// <summary>
/// An immutable array of doubles with a shape: parameters, gradients, activations and data are all tensors.
/// Nothing can write to a tensor once it exists: its storage is private, every accessor copies or hands out a
/// <see cref="ReadOnlySpan{T}"/>, and conversions to and from MathNet and arrays copy. Sharing a tensor (two
/// <see cref="Params"/> holding the same one, a <c>with</c> copy of a record) is therefore always safe.
/// </summary>
/// <remarks>
/// <para>The first axis is the sample (a batch's rows). Storage is sample-fastest: element (n, j) of a
/// rows×cols tensor is at <c>n + rows·j</c> (MathNet's column-major order), so every feature is one contiguous run
/// over the batch. A tensor of more axes, e.g. images N×C×H×W, stores element (n, c, h, w) at
/// <c>n + N·((c·H + h)·W + w)</c>: its flat view N×(C·H·W) is the same storage, so a Flatten costs nothing and a
/// convolution's product writes its output directly in this layout.</para>
/// <para>Library code writes a fresh tensor's storage once, before the tensor is returned (<see cref="Mat"/>'s
/// <c>New</c>); after that it is read only. The one exception never leaves the library: a training loop's scratch
/// tensors (the gathered batch, activations, gradients), whose arrays the loop rewrites at its next step, are used only
/// inside that step and never reach a caller.</para>
/// </remarks>
public sealed class Tensor : IEquatable<Tensor>
{
    readonly double[] _data;
    readonly int _rows,
        _columns; // the flat view's extents, kept apart: the hot loops ask for them at every layer

    readonly ImmutableArray<int> _dims; // default for a rows×columns tensor: most tensors, made on the hot path

    Tensor(ImmutableArray<int> dims, double[] data)
    {
        _dims = dims;
        _data = data;
        _rows = dims[0];
        _columns = Product(dims, 1);
    }

    Tensor(int rows, int columns, double[] data)
    {
        _data = data;
        _rows = rows;
        _columns = columns;
    }

    /// <summary>A tensor of this one's shape over <paramref name="data"/>.</summary>
    Tensor Like(double[] data) => _dims.IsDefault ? new(_rows, _columns, data) : new(_dims, data);

    /// <summary>The extent of each axis; the first is the sample axis.</summary>
    public ImmutableArray<int> Dims => _dims.IsDefault ? [_rows, _columns] : _dims;

    /// <summary>Number of axes (2 for a batch of feature vectors, 4 for a batch of images).</summary>
    public int Rank => _dims.IsDefault ? 2 : _dims.Length;

    /// <summary>Number of samples: the extent of the first axis.</summary>
    public int RowCount => _rows;

    /// <summary>Values per sample: the product of the extents after the first (the flat view's columns).</summary>
    public int ColumnCount => _columns;

    /// <summary>Total number of elements.</summary>
    public int Length => _data.Length;

    /// <summary>Element (row, column) of the flat rows×columns view.</summary>
    public double this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)_rows || (uint)column >= (uint)_columns)
                throw new ArgumentOutOfRangeException(
                    null,
                    $"element ({row}, {column}) of a {ShapeText} tensor (flat view {RowCount}×{ColumnCount})"
                );
            return _data[column * _rows + row];
        }
    }

    /// <summary>The elements in storage order (sample-fastest), read-only.</summary>
    public ReadOnlySpan<double> Span => _data;

    /// <summary>The shape as text, e.g. "10×64" or "100×1×28×28".</summary>
    public string ShapeText => string.Join('×', Dims);

    /// <summary>The storage, for library code that builds new tensors from it; never handed to users.</summary>
    internal double[] Storage => _data;

    // ---- construction: every public factory copies what it is given ----

    /// <summary>A rows×columns tensor of zeros.</summary>
    public static Tensor Zeros(int rows, int columns) => New2(rows, columns, new double[Size(rows, columns)]);

    /// <summary>A rows×columns tensor with every element <paramref name="value"/>.</summary>
    public static Tensor Filled(int rows, int columns, double value)
    {
        var d = new double[Size(rows, columns)];
        Array.Fill(d, value);
        return New2(rows, columns, d);
    }

    /// <summary>A 1×n tensor (a bias, or one sample) holding a copy of <paramref name="values"/>.</summary>
    public static Tensor Row(params ReadOnlySpan<double> values) => New2(1, values.Length, values.ToArray());

    /// <summary>A tensor whose row i is <paramref name="rows"/>[i] (all rows of one length).</summary>
    public static Tensor FromRows(IReadOnlyList<double[]> rows)
    {
        var n = rows.Count;
        var cols = n == 0 ? 0 : rows[0].Length;
        var d = new double[Size(n, cols)];
        for (var i = 0; i < n; i++)
        {
            if (rows[i].Length != cols)
                throw new ArgumentException(
                    $"row {i} has {rows[i].Length} values, row 0 has {cols}: every row needs the same length",
                    nameof(rows)
                );
            for (var j = 0; j < cols; j++)
                d[j * n + i] = rows[i][j];
        }
        return New2(n, cols, d);
    }

    /// <summary>A rows×columns tensor from values in column-major (sample-fastest) order, copied.</summary>
    public static Tensor FromColumnMajor(int rows, int columns, ReadOnlySpan<double> values)
    {
        if (values.Length != Size(rows, columns))
            throw new ArgumentException(
                $"{rows}×{columns} needs {Size(rows, columns)} values, got {values.Length}",
                nameof(values)
            );
        return New2(rows, columns, values.ToArray());
    }

    /// <summary>A tensor of element f(row, column).</summary>
    public static Tensor Generate(int rows, int columns, Func<int, int, double> f)
    {
        var d = new double[Size(rows, columns)];
        for (var j = 0; j < columns; j++)
        for (var i = 0; i < rows; i++)
            d[j * rows + i] = f(i, j);
        return New2(rows, columns, d);
    }

    /// <summary>A copy of a MathNet matrix.</summary>
    public static Tensor FromMathNet(MathNet.Numerics.LinearAlgebra.Matrix<double> m) =>
        New2(m.RowCount, m.ColumnCount, m.ToColumnMajorArray());

    /// <summary>A copy with storage of its own: for a tensor over a training loop's scratch, which the next step
    /// rewrites, when it goes where the scratch's lifetime is not known (library code only).</summary>
    internal Tensor Detached() => Like(ToArray());

    /// <summary>Wraps a fresh array without copying: the caller gives it up (library code only).</summary>
    internal static Tensor Wrap(int rows, int columns, double[] data)
    {
        if (data.Length != Size(rows, columns))
            throw new ArgumentException($"{rows}×{columns} needs {Size(rows, columns)} values, got {data.Length}");
        return New2(rows, columns, data);
    }

    /// <summary>A copy with element (row, column) of the flat view replaced by <paramref name="value"/>.</summary>
    public Tensor With(int row, int column, double value)
    {
        _ = this[row, column]; // the bounds check and its message
        var d = ToArray();
        d[column * RowCount + row] = value;
        return Like(d);
    }

    /// <summary>The same elements seen with other extents (no copy: the storage is read-only). The first axis, the
    /// sample, must stay; the others must hold as many values per sample.</summary>
    public Tensor Reshape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length < 2 || dims[0] != RowCount || Product(dims, 1) != ColumnCount || HasNegative(dims))
            throw new ArgumentException(
                $"cannot view a {ShapeText} tensor as {string.Join('×', dims.ToArray())}: keep the sample axis ({RowCount}) and {ColumnCount} values per sample",
                nameof(dims)
            );
        return new([.. dims], _data);
    }

    // ---- leaving: every conversion copies ----

    /// <summary>The elements in storage order (column-major, sample-fastest), copied.</summary>
    public double[] ToArray() => (double[])_data.Clone();

    /// <summary>Row i of the flat view, copied.</summary>
    public double[] RowValues(int row)
    {
        var r = new double[ColumnCount];
        for (var j = 0; j < r.Length; j++)
            r[j] = this[row, j];
        return r;
    }

    /// <summary>Column j of the flat view (feature j of every sample), copied.</summary>
    public double[] ColumnValues(int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)ColumnCount, nameof(column));
        return _data.AsSpan(column * RowCount, RowCount).ToArray();
    }

    /// <summary>The flat view's rows, copied.</summary>
    public double[][] ToRowArrays()
    {
        var rows = new double[RowCount][];
        for (var i = 0; i < rows.Length; i++)
            rows[i] = RowValues(i);
        return rows;
    }

    /// <summary>A MathNet copy of the flat view, for code that wants MathNet's operations.</summary>
    public MathNet.Numerics.LinearAlgebra.Matrix<double> ToMathNet() =>
        MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(RowCount, ColumnCount, ToArray());

    // ---- element-wise arithmetic (fresh results, one IEEE operation per element) ----

    /// <summary>Each element times <paramref name="s"/>.</summary>
    public static Tensor operator *(Tensor t, double s) => t.Select(v => v * s);

    /// <summary>Each element times <paramref name="s"/>.</summary>
    public static Tensor operator *(double s, Tensor t) => t.Select(v => s * v);

    /// <summary>Each element plus <paramref name="s"/>.</summary>
    public static Tensor operator +(Tensor t, double s) => t.Select(v => v + s);

    /// <summary>Each element minus <paramref name="s"/>.</summary>
    public static Tensor operator -(Tensor t, double s) => t.Select(v => v - s);

    /// <summary>Each element negated.</summary>
    public static Tensor operator -(Tensor t) => t.Select(static v => -v);

    /// <summary>Element-wise sum of two tensors of one shape.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Zip(a, b, static (x, y) => x + y, "+");

    /// <summary>Element-wise difference of two tensors of one shape.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Zip(a, b, static (x, y) => x - y, "-");

    /// <summary>f applied to each element.</summary>
    public Tensor Select(Func<double, double> f)
    {
        var d = new double[_data.Length];
        for (var i = 0; i < d.Length; i++)
            d[i] = f(_data[i]);
        return Like(d);
    }

    static Tensor Zip(Tensor a, Tensor b, Func<double, double, double> f, string op)
    {
        if (!SameShape(a, b))
            throw new ArgumentException($"{a.ShapeText} {op} {b.ShapeText}: the shapes must be equal");
        var d = new double[a._data.Length];
        for (var i = 0; i < d.Length; i++)
            d[i] = f(a._data[i], b._data[i]);
        return a.Like(d);
    }

    /// <summary>Equal shapes and equal elements (<see cref="double.Equals(double)"/>: NaN equals NaN, and 0 equals
    /// −0). For bit-for-bit equality compare <see cref="Span"/>'s bits.</summary>
    public bool Equals(Tensor? other)
    {
        if (other is null)
            return false;
        if (ReferenceEquals(this, other))
            return true;
        if (!SameShape(this, other))
            return false;
        for (var i = 0; i < _data.Length; i++)
            if (!_data[i].Equals(other._data[i]))
                return false;
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Tensor t && Equals(t);

    /// <summary>A hash of the shape and the first elements (equal tensors hash alike).</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims)
            h.Add(d);
        for (var i = 0; i < Math.Min(_data.Length, 16); i++)
            h.Add(_data[i] == 0 ? 0.0 : _data[i]); // 0 and −0 are equal, so they must hash alike
        return h.ToHashCode();
    }

    /// <summary>The shape and the first values of each row, for debugging.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder($"Tensor {ShapeText}");
        for (var i = 0; i < Math.Min(RowCount, 4); i++)
        {
            sb.Append("\n  ");
            for (var j = 0; j < Math.Min(ColumnCount, 6); j++)
                sb.Append(CultureInfo.InvariantCulture, $"{this[i, j], 10:G4}");
            if (ColumnCount > 6)
                sb.Append(" …");
        }
        if (RowCount > 4)
            sb.Append("\n  …");
        return sb.ToString();
    }

    static Tensor New2(int rows, int columns, double[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        return new(rows, columns, data);
    }

    static bool SameShape(Tensor a, Tensor b) =>
        a._dims.IsDefault && b._dims.IsDefault
            ? a._rows == b._rows && a._columns == b._columns
            : a.Dims.SequenceEqual(b.Dims);

    static int Size(int rows, int columns) => checked(rows * columns);

    static int Product(ReadOnlySpan<int> dims, int from)
    {
        var p = 1;
        for (var i = from; i < dims.Length; i++)
            p = checked(p * dims[i]);
        return p;
    }

    static int Product(ImmutableArray<int> dims, int from) => Product(dims.AsSpan(), from);

    static bool HasNegative(ReadOnlySpan<int> dims)
    {
        foreach (var d in dims)
            if (d < 0)
                return true;
        return false;
    }
}
