using MM = MathNet.Numerics.LinearAlgebra.Matrix<double>;

namespace Functional.Tests.Support;

/// <summary>
/// Test conveniences over <see cref="Functional.Core.Tensor"/>: MathNet's operations, computed on MathNet copies
/// (so with MathNet's own arithmetic, e.g. its scalar division by multiplying with the reciprocal) and copied back;
/// products run on the library's kernel (<see cref="Reference.Product"/>).
/// </summary>
public static class TensorTestOps
{
    public static MM M(this Tensor t) => t.ToMathNet();

    public static Tensor T(this MM m) => Tensor.FromMathNet(m);

    /// <summary>The elements in storage (column-major) order, as MathNet's Enumerate.</summary>
    public static IEnumerable<double> Enumerate(this Tensor t) => t.ToArray();

    public static double[] Column(this Tensor t, int j) => t.ColumnValues(j);

    public static Tensor Map(this Tensor t, Func<double, double> f) => t.M().Map(f).T();

    public static Tensor PointwiseMultiply(this Tensor a, Tensor b) => a.M().PointwiseMultiply(b.M()).T();

    public static Tensor PointwiseDivide(this Tensor a, Tensor b) => a.M().PointwiseDivide(b.M()).T();

    public static Tensor Multiply(this Tensor a, Tensor b) => Reference.Product(false, a, false, b);

    public static Tensor TransposeThisAndMultiply(this Tensor a, Tensor b) => Reference.Product(true, a, false, b);

    public static Tensor TransposeAndMultiply(this Tensor a, Tensor b) => Reference.Product(false, a, true, b);

    public static Tensor Transpose(this Tensor a) => a.M().Transpose().T();

    public static Tensor SubMatrix(this Tensor a, int row, int rows, int column, int columns) =>
        a.M().SubMatrix(row, rows, column, columns).T();

    /// <summary>MathNet's <c>m / s</c>: every element times 1/s.</summary>
    public static Tensor DivideLikeMathNet(this Tensor a, double s) => (a.M() / s).T();

    public static double[] ToColumnMajorArray(this Tensor t) => t.ToArray();

    /// <summary>A copy: what a purity test compares the inputs with afterwards.</summary>
    public static Tensor Clone(this Tensor t) => Tensor.FromColumnMajor(t.RowCount, t.ColumnCount, t.Span);

    public static Tensor PointwiseAbs(this Tensor t) => t.Select(Math.Abs);

    public static Tensor ColumnSums(this Tensor t) => t.M().ColumnSums().ToRowMatrix().T();

    public static double[] RowSums(this Tensor t) => t.M().RowSums().ToArray();

    public static int MaximumIndex(this double[] v) => Array.IndexOf(v, v.Max());
}
