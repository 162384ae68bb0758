using System.Numerics;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra.Factorization;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace Functional.Kernels;

// The float, Complex and Complex32 members of the provider: all forwarded to MathNet's managed provider.
internal sealed partial class FastProvider
{
    // ---- float ----
    public void AddVectorToScaledVector(float[] y, float alpha, float[] x, float[] result) =>
        M.AddVectorToScaledVector(y, alpha, x, result);

    public void ScaleArray(float alpha, float[] x, float[] result) => M.ScaleArray(alpha, x, result);

    public void ConjugateArray(float[] x, float[] result) => M.ConjugateArray(x, result);

    public float DotProduct(float[] x, float[] y) => M.DotProduct(x, y);

    public void AddArrays(float[] x, float[] y, float[] result) => M.AddArrays(x, y, result);

    public void SubtractArrays(float[] x, float[] y, float[] result) => M.SubtractArrays(x, y, result);

    public void PointWiseMultiplyArrays(float[] x, float[] y, float[] result) =>
        M.PointWiseMultiplyArrays(x, y, result);

    public void PointWiseDivideArrays(float[] x, float[] y, float[] result) => M.PointWiseDivideArrays(x, y, result);

    public void PointWisePowerArrays(float[] x, float[] y, float[] result) => M.PointWisePowerArrays(x, y, result);

    public double MatrixNorm(Norm norm, int rows, int columns, float[] matrix) =>
        M.MatrixNorm(norm, rows, columns, matrix);

    public void MatrixMultiply(
        float[] x,
        int rowsX,
        int columnsX,
        float[] y,
        int rowsY,
        int columnsY,
        float[] result
    ) => M.MatrixMultiply(x, rowsX, columnsX, y, rowsY, columnsY, result);

    public void MatrixMultiplyWithUpdate(
        Transpose transposeA,
        Transpose transposeB,
        float alpha,
        float[] a,
        int rowsA,
        int columnsA,
        float[] b,
        int rowsB,
        int columnsB,
        float beta,
        float[] c
    ) => M.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);

    public void LUFactor(float[] data, int order, int[] ipiv) => M.LUFactor(data, order, ipiv);

    public void LUInverse(float[] a, int order) => M.LUInverse(a, order);

    public void LUInverseFactored(float[] a, int order, int[] ipiv) => M.LUInverseFactored(a, order, ipiv);

    public void LUSolve(int columnsOfB, float[] a, int order, float[] b) => M.LUSolve(columnsOfB, a, order, b);

    public void LUSolveFactored(int columnsOfB, float[] a, int order, int[] ipiv, float[] b) =>
        M.LUSolveFactored(columnsOfB, a, order, ipiv, b);

    public void CholeskyFactor(float[] a, int order) => M.CholeskyFactor(a, order);

    public void CholeskySolve(float[] a, int orderA, float[] b, int columnsB) =>
        M.CholeskySolve(a, orderA, b, columnsB);

    public void CholeskySolveFactored(float[] a, int orderA, float[] b, int columnsB) =>
        M.CholeskySolveFactored(a, orderA, b, columnsB);

    public void QRFactor(float[] a, int rowsA, int columnsA, float[] q, float[] tau) =>
        M.QRFactor(a, rowsA, columnsA, q, tau);

    public void ThinQRFactor(float[] a, int rowsA, int columnsA, float[] r, float[] tau) =>
        M.ThinQRFactor(a, rowsA, columnsA, r, tau);

    public void QRSolve(float[] a, int rows, int columns, float[] b, int columnsB, float[] x, QRMethod method) =>
        M.QRSolve(a, rows, columns, b, columnsB, x, method);

    public void QRSolveFactored(
        float[] q,
        float[] r,
        int rowsA,
        int columnsA,
        float[] tau,
        float[] b,
        int columnsB,
        float[] x,
        QRMethod method
    ) => M.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);

    public void SingularValueDecomposition(
        bool computeVectors,
        float[] a,
        int rowsA,
        int columnsA,
        float[] s,
        float[] u,
        float[] vt
    ) => M.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);

    public void SvdSolve(float[] a, int rowsA, int columnsA, float[] b, int columnsB, float[] x) =>
        M.SvdSolve(a, rowsA, columnsA, b, columnsB, x);

    public void SvdSolveFactored(
        int rowsA,
        int columnsA,
        float[] s,
        float[] u,
        float[] vt,
        float[] b,
        int columnsB,
        float[] x
    ) => M.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);

    public void EigenDecomp(
        bool isSymmetric,
        int order,
        float[] matrix,
        float[] matrixEv,
        Complex[] vectorEv,
        float[] matrixD
    ) => M.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);

    // ---- Complex ----
    public void AddVectorToScaledVector(Complex[] y, Complex alpha, Complex[] x, Complex[] result) =>
        M.AddVectorToScaledVector(y, alpha, x, result);

    public void ScaleArray(Complex alpha, Complex[] x, Complex[] result) => M.ScaleArray(alpha, x, result);

    public void ConjugateArray(Complex[] x, Complex[] result) => M.ConjugateArray(x, result);

    public Complex DotProduct(Complex[] x, Complex[] y) => M.DotProduct(x, y);

    public void AddArrays(Complex[] x, Complex[] y, Complex[] result) => M.AddArrays(x, y, result);

    public void SubtractArrays(Complex[] x, Complex[] y, Complex[] result) => M.SubtractArrays(x, y, result);

    public void PointWiseMultiplyArrays(Complex[] x, Complex[] y, Complex[] result) =>
        M.PointWiseMultiplyArrays(x, y, result);

    public void PointWiseDivideArrays(Complex[] x, Complex[] y, Complex[] result) =>
        M.PointWiseDivideArrays(x, y, result);

    public void PointWisePowerArrays(Complex[] x, Complex[] y, Complex[] result) =>
        M.PointWisePowerArrays(x, y, result);

    public double MatrixNorm(Norm norm, int rows, int columns, Complex[] matrix) =>
        M.MatrixNorm(norm, rows, columns, matrix);

    public void MatrixMultiply(
        Complex[] x,
        int rowsX,
        int columnsX,
        Complex[] y,
        int rowsY,
        int columnsY,
        Complex[] result
    ) => M.MatrixMultiply(x, rowsX, columnsX, y, rowsY, columnsY, result);

    public void MatrixMultiplyWithUpdate(
        Transpose transposeA,
        Transpose transposeB,
        Complex alpha,
        Complex[] a,
        int rowsA,
        int columnsA,
        Complex[] b,
        int rowsB,
        int columnsB,
        Complex beta,
        Complex[] c
    ) => M.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);

    public void LUFactor(Complex[] data, int order, int[] ipiv) => M.LUFactor(data, order, ipiv);

    public void LUInverse(Complex[] a, int order) => M.LUInverse(a, order);

    public void LUInverseFactored(Complex[] a, int order, int[] ipiv) => M.LUInverseFactored(a, order, ipiv);

    public void LUSolve(int columnsOfB, Complex[] a, int order, Complex[] b) => M.LUSolve(columnsOfB, a, order, b);

    public void LUSolveFactored(int columnsOfB, Complex[] a, int order, int[] ipiv, Complex[] b) =>
        M.LUSolveFactored(columnsOfB, a, order, ipiv, b);

    public void CholeskyFactor(Complex[] a, int order) => M.CholeskyFactor(a, order);

    public void CholeskySolve(Complex[] a, int orderA, Complex[] b, int columnsB) =>
        M.CholeskySolve(a, orderA, b, columnsB);

    public void CholeskySolveFactored(Complex[] a, int orderA, Complex[] b, int columnsB) =>
        M.CholeskySolveFactored(a, orderA, b, columnsB);

    public void QRFactor(Complex[] a, int rowsA, int columnsA, Complex[] q, Complex[] tau) =>
        M.QRFactor(a, rowsA, columnsA, q, tau);

    public void ThinQRFactor(Complex[] a, int rowsA, int columnsA, Complex[] r, Complex[] tau) =>
        M.ThinQRFactor(a, rowsA, columnsA, r, tau);

    public void QRSolve(Complex[] a, int rows, int columns, Complex[] b, int columnsB, Complex[] x, QRMethod method) =>
        M.QRSolve(a, rows, columns, b, columnsB, x, method);

    public void QRSolveFactored(
        Complex[] q,
        Complex[] r,
        int rowsA,
        int columnsA,
        Complex[] tau,
        Complex[] b,
        int columnsB,
        Complex[] x,
        QRMethod method
    ) => M.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);

    public void SingularValueDecomposition(
        bool computeVectors,
        Complex[] a,
        int rowsA,
        int columnsA,
        Complex[] s,
        Complex[] u,
        Complex[] vt
    ) => M.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);

    public void SvdSolve(Complex[] a, int rowsA, int columnsA, Complex[] b, int columnsB, Complex[] x) =>
        M.SvdSolve(a, rowsA, columnsA, b, columnsB, x);

    public void SvdSolveFactored(
        int rowsA,
        int columnsA,
        Complex[] s,
        Complex[] u,
        Complex[] vt,
        Complex[] b,
        int columnsB,
        Complex[] x
    ) => M.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);

    public void EigenDecomp(
        bool isSymmetric,
        int order,
        Complex[] matrix,
        Complex[] matrixEv,
        Complex[] vectorEv,
        Complex[] matrixD
    ) => M.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);

    // ---- Complex32 ----
    public void AddVectorToScaledVector(Complex32[] y, Complex32 alpha, Complex32[] x, Complex32[] result) =>
        M.AddVectorToScaledVector(y, alpha, x, result);

    public void ScaleArray(Complex32 alpha, Complex32[] x, Complex32[] result) => M.ScaleArray(alpha, x, result);

    public void ConjugateArray(Complex32[] x, Complex32[] result) => M.ConjugateArray(x, result);

    public Complex32 DotProduct(Complex32[] x, Complex32[] y) => M.DotProduct(x, y);

    public void AddArrays(Complex32[] x, Complex32[] y, Complex32[] result) => M.AddArrays(x, y, result);

    public void SubtractArrays(Complex32[] x, Complex32[] y, Complex32[] result) => M.SubtractArrays(x, y, result);

    public void PointWiseMultiplyArrays(Complex32[] x, Complex32[] y, Complex32[] result) =>
        M.PointWiseMultiplyArrays(x, y, result);

    public void PointWiseDivideArrays(Complex32[] x, Complex32[] y, Complex32[] result) =>
        M.PointWiseDivideArrays(x, y, result);

    public void PointWisePowerArrays(Complex32[] x, Complex32[] y, Complex32[] result) =>
        M.PointWisePowerArrays(x, y, result);

    public double MatrixNorm(Norm norm, int rows, int columns, Complex32[] matrix) =>
        M.MatrixNorm(norm, rows, columns, matrix);

    public void MatrixMultiply(
        Complex32[] x,
        int rowsX,
        int columnsX,
        Complex32[] y,
        int rowsY,
        int columnsY,
        Complex32[] result
    ) => M.MatrixMultiply(x, rowsX, columnsX, y, rowsY, columnsY, result);

    public void MatrixMultiplyWithUpdate(
        Transpose transposeA,
        Transpose transposeB,
        Complex32 alpha,
        Complex32[] a,
        int rowsA,
        int columnsA,
        Complex32[] b,
        int rowsB,
        int columnsB,
        Complex32 beta,
        Complex32[] c
    ) => M.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);

    public void LUFactor(Complex32[] data, int order, int[] ipiv) => M.LUFactor(data, order, ipiv);

    public void LUInverse(Complex32[] a, int order) => M.LUInverse(a, order);

    public void LUInverseFactored(Complex32[] a, int order, int[] ipiv) => M.LUInverseFactored(a, order, ipiv);

    public void LUSolve(int columnsOfB, Complex32[] a, int order, Complex32[] b) => M.LUSolve(columnsOfB, a, order, b);

    public void LUSolveFactored(int columnsOfB, Complex32[] a, int order, int[] ipiv, Complex32[] b) =>
        M.LUSolveFactored(columnsOfB, a, order, ipiv, b);

    public void CholeskyFactor(Complex32[] a, int order) => M.CholeskyFactor(a, order);

    public void CholeskySolve(Complex32[] a, int orderA, Complex32[] b, int columnsB) =>
        M.CholeskySolve(a, orderA, b, columnsB);

    public void CholeskySolveFactored(Complex32[] a, int orderA, Complex32[] b, int columnsB) =>
        M.CholeskySolveFactored(a, orderA, b, columnsB);

    public void QRFactor(Complex32[] a, int rowsA, int columnsA, Complex32[] q, Complex32[] tau) =>
        M.QRFactor(a, rowsA, columnsA, q, tau);

    public void ThinQRFactor(Complex32[] a, int rowsA, int columnsA, Complex32[] r, Complex32[] tau) =>
        M.ThinQRFactor(a, rowsA, columnsA, r, tau);

    public void QRSolve(
        Complex32[] a,
        int rows,
        int columns,
        Complex32[] b,
        int columnsB,
        Complex32[] x,
        QRMethod method
    ) => M.QRSolve(a, rows, columns, b, columnsB, x, method);

    public void QRSolveFactored(
        Complex32[] q,
        Complex32[] r,
        int rowsA,
        int columnsA,
        Complex32[] tau,
        Complex32[] b,
        int columnsB,
        Complex32[] x,
        QRMethod method
    ) => M.QRSolveFactored(q, r, rowsA, columnsA, tau, b, columnsB, x, method);

    public void SingularValueDecomposition(
        bool computeVectors,
        Complex32[] a,
        int rowsA,
        int columnsA,
        Complex32[] s,
        Complex32[] u,
        Complex32[] vt
    ) => M.SingularValueDecomposition(computeVectors, a, rowsA, columnsA, s, u, vt);

    public void SvdSolve(Complex32[] a, int rowsA, int columnsA, Complex32[] b, int columnsB, Complex32[] x) =>
        M.SvdSolve(a, rowsA, columnsA, b, columnsB, x);

    public void SvdSolveFactored(
        int rowsA,
        int columnsA,
        Complex32[] s,
        Complex32[] u,
        Complex32[] vt,
        Complex32[] b,
        int columnsB,
        Complex32[] x
    ) => M.SvdSolveFactored(rowsA, columnsA, s, u, vt, b, columnsB, x);

    public void EigenDecomp(
        bool isSymmetric,
        int order,
        Complex32[] matrix,
        Complex32[] matrixEv,
        Complex[] vectorEv,
        Complex32[] matrixD
    ) => M.EigenDecomp(isSymmetric, order, matrix, matrixEv, vectorEv, matrixD);
}
