using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace Functional.Kernels;

/// <summary>
/// MathNet.Numerics linear-algebra provider whose double matrix products
/// (<see cref="MatrixMultiply(double[], int, int, double[], int, int, double[])"/> and
/// <see cref="MatrixMultiplyWithUpdate(Transpose, Transpose, double, double[], int, int, double[], int, int, double, double[])"/>)
/// run on the deterministic <see cref="Gemm"/> kernel; every other operation is forwarded to
/// MathNet's managed provider. Installed only by <see cref="DeterministicProvider.UseForMathNet"/>.
/// </summary>
internal sealed partial class FastProvider : ILinearAlgebraProvider
{
    /// <summary>The one instance (the provider holds no state).</summary>
    internal static readonly FastProvider Shared = new();

    private FastProvider() { }

    private static ManagedLinearAlgebraProvider M => ManagedLinearAlgebraProvider.Instance;

    /// <inheritdoc/>
    public override string ToString() =>
        "Functional.FastProvider (deterministic AVX2/FMA GEMM for double; managed provider otherwise)";

    public bool IsAvailable() => true;

    public void InitializeVerify() { }

    public void FreeResources() => M.FreeResources();

    /// <summary>result (rowsX×columnsY) = x (rowsX×columnsX) · y (rowsY×columnsY), column-major.</summary>
    public void MatrixMultiply(
        double[] x,
        int rowsX,
        int columnsX,
        double[] y,
        int rowsY,
        int columnsY,
        double[] result
    )
    {
        MatrixMultiplyWithUpdate(
            Transpose.DontTranspose,
            Transpose.DontTranspose,
            1.0,
            x,
            rowsX,
            columnsX,
            y,
            rowsY,
            columnsY,
            0.0,
            result
        );
    }

    /// <summary>
    /// c = alpha · op(a) · op(b) + beta · c, column-major; a is stored rowsA×columnsA and b rowsB×columnsB.
    /// When beta is 0 the old contents of c are ignored (even NaN).
    /// </summary>
    public void MatrixMultiplyWithUpdate(
        Transpose transposeA,
        Transpose transposeB,
        double alpha,
        double[] a,
        int rowsA,
        int columnsA,
        double[] b,
        int rowsB,
        int columnsB,
        double beta,
        double[] c
    )
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        bool ta = transposeA != Transpose.DontTranspose;
        bool tb = transposeB != Transpose.DontTranspose;
        int m = ta ? columnsA : rowsA;
        int k = ta ? rowsA : columnsA;
        int kb = tb ? columnsB : rowsB;
        int n = tb ? rowsB : columnsB;
        if (k != kb)
        {
            throw new ArgumentException($"inner dimensions differ: op(a) is {m}x{k}, op(b) is {kb}x{n}", nameof(b));
        }

        if (c.Length != (long)m * n)
        {
            throw new ArgumentException($"c holds {c.Length} elements, the product is {m}x{n}", nameof(c));
        }

        if (!ReferenceEquals(c, a) && !ReferenceEquals(c, b))
        {
            Gemm.Multiply(
                ta,
                tb,
                m,
                n,
                k,
                alpha,
                a,
                Math.Max(1, rowsA),
                b,
                Math.Max(1, rowsB),
                beta,
                c,
                Math.Max(1, m)
            );
            return;
        }

        // The output aliases an input: compute into a copy of c, then write back.
        var tmp = System.Buffers.ArrayPool<double>.Shared.Rent(c.Length);
        try
        {
            var span = tmp.AsSpan(0, c.Length);
            c.AsSpan().CopyTo(span);
            Gemm.Multiply(
                ta,
                tb,
                m,
                n,
                k,
                alpha,
                a,
                Math.Max(1, rowsA),
                b,
                Math.Max(1, rowsB),
                beta,
                span,
                Math.Max(1, m)
            );
            span.CopyTo(c);
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(tmp);
        }
    }

    // ---- double ----
    public void AddVectorToScaledVector(double[] y, double alpha, double[] x, double[] result) =>
        M.AddVectorToScaledVector(y, alpha, x, result);

    public void ScaleArray(double alpha, double[] x, double[] result) => M.ScaleArray(alpha, x, result);

    public void ConjugateArray(double[] x, double[] result) => M.ConjugateArray(x, result);

    public double DotProduct(double[] x, double[] y) => M.DotProduct(x, y);

    public void AddArrays(double[] x, double[] y, double[] result) => M.AddArrays(x, y, result);

    public void SubtractArrays(double[] x, double[] y, double[] result) => M.SubtractArrays(x, y, result);

    public void PointWiseMultiplyArrays(double[] x, double[] y, double[] result) =>
        M.PointWiseMultiplyArrays(x, y, result);

    public void PointWiseDivideArrays(double[] x, double[] y, double[] result) => M.PointWiseDivideArrays(x, y, result);

    public void PointWisePowerArrays(double[] x, double[] y, double[] result) => M.PointWisePowerArrays(x, y, result);

    public double MatrixNorm(Norm norm, int rows, int columns, double[] matrix) =>
        M.MatrixNorm(norm, rows, columns, matrix);

    public void LUFactor(double[] data, int order, int[] ipiv) => M.LUFactor(data, order, ipiv);

    public void LUInverse(double[] a, int order) => M.LUInverse(a, order);

    public void LUInverseFactored(double[] a, int order, int[] ipiv) => M.LUInverseFactored(a, order, ipiv);

    public void LUSolve(int columnsOfB, double[] a, int order, double[] b) => M.LUSolve(columnsOfB, a, order, b);

    public void LUSolveFactored(int columnsOfB, double[] a, int order, int[] ipiv, double[] b) =>
        M.LUSolveFactored(columnsOfB, a, order, ipiv, b);

    public void CholeskyFactor(double[] a, int order) => M.CholeskyFactor(a, order);

    public void CholeskySolve(double[] a, int orderA, double[] b, int columnsB) =>
        M.CholeskySolve(a, orderA, b, columnsB);

    public void CholeskySolveFactored(double[] a, int orderA, double[] b, int columnsB) =>
        M.CholeskySolveFactored(a, orderA, b, columnsB);

    public void QRFactor(double[] a, int rowsA, int columnsA, double[] q, double[] tau) =>
        M.QRFactor(a, rowsA, columnsA, q, tau);

    public void ThinQRFactor(double[] a, int rowsA, int columnsA, double[] r, double[] tau) =>
        M.ThinQRFactor(a, rowsA, columnsA, r, tau);

    public void QRSolve(double[] a, int rows, int columns, double[] b, int columnsB, double[] x, QRMethod method) =>
        M.QRSolve(a, rows, columns, b, columnsB, x, method);

    public void QRSolveFactored(
        double[] q,
        double[] r,
        int rowsA,
        int columnsA,
        double[] tau,
        double[] b,
        int columnsB,
        double[] x,
        QRMethod method
    ) => M.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);

    public void SingularValueDecomposition(
        bool computeVectors,
        double[] a,
        int rowsA,
        int columnsA,
        double[] s,
        double[] u,
        double[] vt
    ) => M.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);

    public void SvdSolve(double[] a, int rowsA, int columnsA, double[] b, int columnsB, double[] x) =>
        M.SvdSolve(a, rowsA, columnsA, b, columnsB, x);

    public void SvdSolveFactored(
        int rowsA,
        int columnsA,
        double[] s,
        double[] u,
        double[] vt,
        double[] b,
        int columnsB,
        double[] x
    ) => M.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);

    public void EigenDecomp(
        bool isSymmetric,
        int order,
        double[] matrix,
        double[] matrixEv,
        Complex[] vectorEv,
        double[] matrixD
    ) => M.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);
}
