using Functional.Kernels;
using Functional.Tests.Support;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using Xunit;

namespace Functional.Tests.Kernels;

/// <summary>MathNet's products after the opt-in: they reach the kernel. The opt-in changes MathNet's global state,
/// so these tests run one at a time (<see cref="ProcessWide"/>) and put the previous provider back.</summary>
[Collection(nameof(ProcessWide))]
public sealed class DeterministicProviderTests : IDisposable
{
    private readonly ILinearAlgebraProvider _previous;

    public DeterministicProviderTests()
    {
        _previous = DeterministicProvider.UseForMathNet();
    }

    public void Dispose() => LinearAlgebraControl.Provider = _previous;

    private static Matrix<double> Dense(int rows, int cols, ulong seed) =>
        Matrix<double>.Build.Dense(rows, cols, GemmTestData.Values(rows * cols, seed));

    [Fact]
    public void UseForMathNet_is_idempotent_and_returns_the_provider_it_replaces()
    {
        Parallel.For(0, 8, _ => DeterministicProvider.UseForMathNet());
        var ours = LinearAlgebraControl.Provider;
        Assert.IsType<FastProvider>(ours);
        Assert.Contains("FastProvider", ours.ToString(), StringComparison.Ordinal);
        Assert.True(ours.IsAvailable());

        LinearAlgebraControl.UseManaged();
        var managed = LinearAlgebraControl.Provider;
        Assert.Same(managed, DeterministicProvider.UseForMathNet());
        Assert.Same(ours, DeterministicProvider.UseForMathNet());
    }

    [Theory]
    [InlineData(128, 784, 100)]
    [InlineData(10, 64, 32)]
    [InlineData(7, 65, 63)]
    [InlineData(1, 1, 1)]
    public void DenseMatrixProductsReachTheKernel(int batch, int inputs, int outputs)
    {
        var x = Dense(batch, inputs, 71); // batch x inputs
        var w = Dense(inputs, outputs, 72); // inputs x outputs
        var dy = Dense(batch, outputs, 73); // batch x outputs
        var wt = Dense(outputs, inputs, 74); // outputs x inputs

        // A*B
        var y = x * w;
        Check(false, false, x, w, y);

        // A^T*B: dW = X^T dY
        var dw = x.TransposeThisAndMultiply(dy);
        Check(true, false, x, dy, dw);

        // A*B^T: dX = dY W^T with W stored outputs x inputs... here W^T is (inputs x outputs)^T
        var dx = dy.TransposeAndMultiply(wt.Transpose());
        Check(false, true, dy, wt.Transpose(), dx);

        // Tensor-vector.
        var v = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(GemmTestData.Values(inputs, 75));
        var xv = x * v;
        var expected = new double[batch];
        Gemm.Multiply(
            false,
            false,
            batch,
            1,
            inputs,
            1.0,
            x.ToColumnMajorArray(),
            batch,
            v.ToArray(),
            inputs,
            0.0,
            expected,
            batch
        );
        GemmTestData.AssertBitwise(expected, xv.ToArray());
    }

    private static void Check(bool ta, bool tb, Matrix<double> a, Matrix<double> b, Matrix<double> product)
    {
        int m = ta ? a.ColumnCount : a.RowCount;
        int k = ta ? a.RowCount : a.ColumnCount;
        int n = tb ? b.RowCount : b.ColumnCount;
        var av = a.ToColumnMajorArray();
        var bv = b.ToColumnMajorArray();
        var (reference, scale) = GemmTestData.Reference(
            ta,
            tb,
            m,
            n,
            k,
            1.0,
            av,
            a.RowCount,
            bv,
            b.RowCount,
            0.0,
            new double[m * n],
            m
        );
        var actual = product.ToColumnMajorArray();
        GemmTestData.AssertClose(reference, scale, actual);

        // Bitwise equal to the kernel called directly: MathNet routed the product to it.
        var direct = new double[m * n];
        Gemm.Multiply(ta, tb, m, n, k, 1.0, av, a.RowCount, bv, b.RowCount, 0.0, direct, m);
        GemmTestData.AssertBitwise(direct, actual);
    }

    [Fact]
    public void WithUpdateFollowsBlasSemantics()
    {
        var provider = LinearAlgebraControl.Provider;
        int m = 33,
            n = 17,
            k = 29;
        var a = GemmTestData.Values(k * m, 81); // stored k x m, used transposed
        var b = GemmTestData.Values(n * k, 82); // stored n x k, used transposed
        var c0 = GemmTestData.Values(m * n, 83);
        var c = (double[])c0.Clone();
        provider.MatrixMultiplyWithUpdate(Transpose.Transpose, Transpose.Transpose, 0.5, a, k, m, b, n, k, -2.0, c);
        var (expected, scale) = GemmTestData.Reference(true, true, m, n, k, 0.5, a, k, b, n, -2.0, c0, m);
        GemmTestData.AssertClose(expected, scale, c);

        var nan = Enumerable.Repeat(double.NaN, m * n).ToArray();
        provider.MatrixMultiplyWithUpdate(Transpose.Transpose, Transpose.Transpose, 0.5, a, k, m, b, n, k, 0.0, nan);
        (expected, scale) = GemmTestData.Reference(true, true, m, n, k, 0.5, a, k, b, n, 0.0, new double[m * n], m);
        GemmTestData.AssertClose(expected, scale, nan);
    }

    [Fact]
    public void OutputMayAliasAnInput()
    {
        var provider = LinearAlgebraControl.Provider;
        int s = 40;
        var a = GemmTestData.Values(s * s, 91);
        var b = GemmTestData.Values(s * s, 92);
        var (expected, scale) = GemmTestData.Reference(false, false, s, s, s, 1.0, a, s, b, s, 1.0, a, s);
        provider.MatrixMultiplyWithUpdate(
            Transpose.DontTranspose,
            Transpose.DontTranspose,
            1.0,
            a,
            s,
            s,
            b,
            s,
            s,
            1.0,
            a
        );
        GemmTestData.AssertClose(expected, scale, a);
    }

    [Fact]
    public void RespectsMaxDegreeOfParallelismWithoutChangingResults()
    {
        var x = Dense(300, 400, 101);
        var w = Dense(400, 200, 102);
        int saved = MathNet.Numerics.Control.MaxDegreeOfParallelism;
        try
        {
            MathNet.Numerics.Control.MaxDegreeOfParallelism = 1;
            var one = (x * w).ToColumnMajorArray();
            MathNet.Numerics.Control.MaxDegreeOfParallelism = 2;
            var two = (x * w).ToColumnMajorArray();
            GemmTestData.AssertBitwise(one, two);
        }
        finally
        {
            MathNet.Numerics.Control.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void OtherOperationsAreForwarded()
    {
        var a = Dense(6, 6, 111) + Matrix<double>.Build.DenseIdentity(6) * 10;
        var inv = a.Inverse();
        var id = a * inv;
        Assert.True((id - Matrix<double>.Build.DenseIdentity(6)).FrobeniusNorm() < 1e-12);
        var f = Matrix<float>.Build.Dense(2, 2, [1f, 2f, 3f, 4f]);
        Assert.Equal([7f, 10f, 15f, 22f], (f * f).ToColumnMajorArray());
    }
}
