using MM = MathNet.Numerics.LinearAlgebra.Matrix<double>;

namespace Functional.Tests.Support;

/// <summary>
/// Test conveniences over <see cref="Functional.Core.Tensor"/>: MathNet's operations, computed on MathNet copies
/// (so with MathNet's own arithmetic, e.g. its scalar division by multiplying with the reciprocal) and copied back;
/// products run on the library's kernel (<see cref="Reference.Product"/>).
/// </summary>
public static class TensorTestOps
{
    public static MM M(this Matrix t) => t.ToMathNet();

    public static Matrix T(this MM m) => Matrix.FromMathNet(m);

    /// <summary>The elements in storage (column-major) order, as MathNet's Enumerate.</summary>
    public static IEnumerable<double> Enumerate(this Matrix t) => t.ToArray();

    public static double[] Column(this Matrix t, int j) => t.ColumnValues(j);

    public static Matrix Map(this Matrix t, Func<double, double> f) => t.M().Map(f).T();

    public static Matrix PointwiseMultiply(this Matrix a, Matrix b) => a.M().PointwiseMultiply(b.M()).T();

    public static Matrix PointwiseDivide(this Matrix a, Matrix b) => a.M().PointwiseDivide(b.M()).T();

    public static Matrix Multiply(this Matrix a, Matrix b) => Reference.Product(false, a, false, b);

    public static Matrix TransposeThisAndMultiply(this Matrix a, Matrix b) => Reference.Product(true, a, false, b);

    public static Matrix TransposeAndMultiply(this Matrix a, Matrix b) => Reference.Product(false, a, true, b);

    public static Matrix Transpose(this Matrix a) => a.M().Transpose().T();

    public static Matrix SubMatrix(this Matrix a, int row, int rows, int column, int columns) =>
        a.M().SubMatrix(row, rows, column, columns).T();

    /// <summary>MathNet's <c>m / s</c>: every element times 1/s.</summary>
    public static Matrix DivideLikeMathNet(this Matrix a, double s) => (a.M() / s).T();

    public static double[] ToColumnMajorArray(this Matrix t) => t.ToArray();

    /// <summary>A copy: what a purity test compares the inputs with afterwards.</summary>
    public static Matrix Clone(this Matrix t) => Matrix.FromColumnMajor(t.RowCount, t.ColumnCount, t.Span);

    public static Matrix PointwiseAbs(this Matrix t) => t.Select(Math.Abs);

    public static Matrix ColumnSums(this Matrix t) => t.M().ColumnSums().ToRowMatrix().T();

    public static double[] RowSums(this Matrix t) => t.M().RowSums().ToArray();

    public static int MaximumIndex(this double[] v) => Array.IndexOf(v, v.Max());
}
