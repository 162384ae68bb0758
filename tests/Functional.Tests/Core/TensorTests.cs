using System.Reflection;
using Functional.Core;
using Xunit;
using MM = MathNet.Numerics.LinearAlgebra.Matrix<double>;

namespace Functional.Tests.Core;

/// <summary>A tensor cannot be changed once it exists: nothing public writes to it, and everything that enters or
/// leaves it is copied.</summary>
public class TensorTests
{
    [Fact]
    public void No_public_member_can_write_to_a_tensor()
    {
        var t = typeof(Tensor);
        Assert.All(t.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => Assert.Null(p.SetMethod));
        Assert.Empty(t.GetFields(BindingFlags.Public | BindingFlags.Instance));
        // Every public member that hands out elements returns a read-only span or a copy (checked below); no public
        // member returns the storage array itself.
        var arrays = t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.ReturnType == typeof(double[]) || m.ReturnType == typeof(double[][]))
            .Select(m => m.Name)
            .Order()
            .ToArray();
        Assert.Equal(["ColumnValues", "RowValues", "ToArray", "ToRowArrays"], arrays);
        Assert.Equal(typeof(ReadOnlySpan<double>), t.GetProperty(nameof(Tensor.Span))!.PropertyType);
    }

    [Fact]
    public void What_leaves_a_tensor_is_a_copy()
    {
        var x = Tensor.FromRows([
            [1.0, 2.0],
            [3.0, 4.0],
        ]);
        x.ToArray()[0] = 42;
        x.RowValues(0)[0] = 42;
        x.ColumnValues(0)[0] = 42;
        x.ToRowArrays()[0][0] = 42;
        var m = x.ToMathNet();
        m[0, 0] = 42;
        Assert.Equal(1.0, x[0, 0]);
        Assert.Equal([1.0, 3.0, 2.0, 4.0], x.Span.ToArray()); // column-major: the sample axis is fastest
    }

    [Fact]
    public void What_enters_a_tensor_is_copied()
    {
        double[] values = [1, 2, 3];
        var row = Tensor.Row(values);
        var cols = Tensor.FromColumnMajor(3, 1, values);
        double[][] rows =
        [
            [1, 2],
            [3, 4],
        ];
        var fromRows = Tensor.FromRows(rows);
        var m = MM.Build.Dense(2, 2, [1.0, 3.0, 2.0, 4.0]);
        var fromMathNet = Tensor.FromMathNet(m);
        values[0] = 42;
        rows[0][0] = 42;
        m[0, 0] = 42;
        Assert.Equal(1.0, row[0, 0]);
        Assert.Equal(1.0, cols[0, 0]);
        Assert.Equal(1.0, fromRows[0, 0]);
        Assert.Equal(1.0, fromMathNet[0, 0]);
    }

    /// <summary>The gather that once served a stale row-major copy after the caller wrote to its matrix: a tensor
    /// cannot be written, and one built from a changed MathNet matrix is a new tensor with its own copy.</summary>
    [Fact]
    public void A_gather_always_sees_the_values_the_tensor_was_made_with()
    {
        var m = MM.Build.Dense(300, 40, (i, j) => (i * 40 + j) % 256 / 255.0); // palette-coded row-major copy
        var x = Tensor.FromMathNet(m);
        var before = Mat.Rows(x, [0, 7]);
        m[0, 0] = 42;
        Assert.True(Mat.BitwiseEqual(before, Mat.Rows(x, [0, 7])));
        var y = Tensor.FromMathNet(m);
        Assert.Equal(42.0, Mat.Rows(y, [0])[0, 0]);
        Assert.Equal(0.0, Mat.Rows(x, [0])[0, 0]);
    }

    [Fact]
    public void With_returns_a_changed_copy()
    {
        var x = Tensor.Zeros(2, 3);
        var y = x.With(1, 2, 5.0);
        Assert.Equal(0.0, x[1, 2]);
        Assert.Equal(5.0, y[1, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.With(2, 0, 1.0));
    }

    [Fact]
    public void A_reshape_keeps_the_sample_axis_and_the_values_per_sample()
    {
        var flat = Tensor.Generate(4, 2 * 3 * 5, (i, j) => i * 100 + j);
        var images = flat.Reshape(4, 2, 3, 5);
        Assert.Equal([4, 2, 3, 5], images.Dims.ToArray());
        Assert.Equal((4, 30), (images.RowCount, images.ColumnCount));
        Assert.Equal(flat[3, 29], images[3, 29]);
        var e = Assert.Throws<ArgumentException>(() => flat.Reshape(2, 60));
        Assert.Contains("keep the sample axis (4)", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => flat.Reshape(4, 7, 4));
    }

    [Fact]
    public void Arithmetic_is_one_IEEE_operation_per_element_like_MathNets()
    {
        var a = Support.TestData.Normal(1, 5, 7);
        var b = Support.TestData.Normal(2, 5, 7);
        Assert.True(Mat.BitwiseEqual((a.M() + b.M()).T(), a + b));
        Assert.True(Mat.BitwiseEqual((a.M() - b.M()).T(), a - b));
        Assert.True(Mat.BitwiseEqual((a.M() * 0.3).T(), a * 0.3));
        Assert.True(Mat.BitwiseEqual((0.3 * a.M()).T(), 0.3 * a));
        Assert.True(Mat.BitwiseEqual((-a.M()).T(), -a));
        Assert.True(Mat.BitwiseEqual((a.M() + 1.5).T(), a + 1.5));
        var e = Assert.Throws<ArgumentException>(() => a + Tensor.Zeros(5, 6));
        Assert.Contains("5×7 + 5×6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_tensors_are_equal_values()
    {
        var a = Tensor.FromRows([
            [1.0, double.NaN],
        ]);
        Assert.Equal(
            a,
            Tensor.FromRows([
                [1.0, double.NaN],
            ])
        );
        Assert.Equal(
            a.GetHashCode(),
            Tensor
                .FromRows([
                    [1.0, double.NaN],
                ])
                .GetHashCode()
        );
        Assert.NotEqual(
            a,
            Tensor.FromRows([
                [1.0],
                [double.NaN],
            ])
        );
        Assert.Equal(Tensor.Row(0.0), Tensor.Row(-0.0));
        Assert.Equal(Tensor.Row(0.0).GetHashCode(), Tensor.Row(-0.0).GetHashCode());
    }
}
