using Functional.Kernels;
using Functional.Numerics;

namespace Functional.Core;

/// <summary>
/// The book's element-wise functions and losses (chapters 3–4), as pure functions of matrices.
/// Rows are samples. Reductions run in a fixed order so results are bitwise reproducible.
/// </summary>
public static class Functions
{
    /// <summary>The guard the book adds inside log() so that log(0) never appears.</summary>
    public const double LogGuard = 1e-7;

    /// <summary>The step function: 1 for x &gt; 0, else 0.</summary>
    public static double Step(double x) => x > 0 ? 1.0 : 0.0;

    /// <summary>x itself (the output activation of regression).</summary>
    public static double Identity(double x) => x;

    /// <summary>1 / (1 + e^-x), within 1 ulp and the same bits on every machine (<see cref="Elementary.Sigmoid(double)"/>).</summary>
    public static double Sigmoid(double x) => Elementary.Sigmoid(x);

    /// <summary>The sigmoid's derivative at <paramref name="x"/>: (1 - s)·s with s = sigmoid(x).</summary>
    public static double SigmoidGrad(double x)
    {
        var s = Sigmoid(x);
        return (1.0 - s) * s;
    }

    /// <summary>max(x, 0); 0 at x = 0.</summary>
    public static double Relu(double x) => x > 0 ? x : 0.0;

    /// <summary>The ReLU's derivative: 1 for x &gt; 0, else 0 (0 at x = 0, as the backward pass uses).</summary>
    public static double ReluGrad(double x) => x > 0 ? 1.0 : 0.0;

    /// <summary>The hyperbolic tangent, within 1 ulp and the same bits on every machine.</summary>
    public static double Tanh(double x) => Elementary.Tanh(x);

    /// <summary><see cref="Step(double)"/> of every element, as a new tensor.</summary>
    public static Tensor Step(Tensor x) => x.Select(Step);

    /// <summary><see cref="Sigmoid(double)"/> of every element, as a new tensor (the kernel the Sigmoid layer
    /// runs).</summary>
    public static Tensor Sigmoid(Tensor x) => Elementwise.Sigmoid(x);

    /// <summary><see cref="SigmoidGrad(double)"/> of every element, as a new tensor.</summary>
    public static Tensor SigmoidGrad(Tensor x) => x.Select(SigmoidGrad);

    /// <summary><see cref="Relu(double)"/> of every element, as a new tensor (the kernel the Relu layer
    /// runs).</summary>
    public static Tensor Relu(Tensor x) => Elementwise.Relu(x);

    /// <summary>tanh of every element, as a new tensor (the kernel the Tanh layer runs).</summary>
    public static Tensor Tanh(Tensor x) => Elementwise.Tanh(x);

    /// <summary>Row-wise softmax, numerically stable: the row maximum is subtracted before exp.</summary>
    public static Tensor Softmax(Tensor x)
    {
        var n = x.RowCount;
        var c = x.ColumnCount;
        var y = new double[n * c];
        Span<double> max = n <= StackRows ? stackalloc double[n] : new double[n];
        Span<double> sum = n <= StackRows ? stackalloc double[n] : new double[n];
        ShiftedExp(Mat.Data(x), n, c, y, max, sum);
        for (var j = 0; j < c; j++)
        for (var i = 0; i < n; i++)
            y[j * n + i] /= sum[i];
        return Tensor.Wrap(n, c, y);
    }

    /// <summary>Rows up to this many keep a softmax's per-row maximum and sum on the stack.</summary>
    internal const int StackRows = 512;

    /// <summary>
    /// What every softmax here starts with, for the column-major n×c scores <paramref name="x"/>: per row the maximum
    /// and then e = exp(x − max) and the sum of those in class order. The exponentials run over the whole block at once
    /// (the vector forms of <see cref="Elementary.Exp(ReadOnlySpan{double}, Span{double})"/>); each
    /// row still sees the same operations in the same order, so every softmax and loss here shares these bits.
    /// </summary>
    internal static void ShiftedExp(
        ReadOnlySpan<double> x,
        int n,
        int c,
        Span<double> e,
        Span<double> max,
        Span<double> sum
    )
    {
        max.Fill(double.NegativeInfinity);
        sum.Clear();
        for (var j = 0; j < c; j++)
        {
            var col = x.Slice(j * n, n);
            for (var i = 0; i < n; i++)
                max[i] = Math.Max(max[i], col[i]);
        }
        for (var j = 0; j < c; j++)
        {
            var col = x.Slice(j * n, n);
            var ec = e.Slice(j * n, n);
            for (var i = 0; i < n; i++)
                ec[i] = col[i] - max[i];
        }
        // One pass over the whole block: a small batch's columns would each end in a padded vector.
        var all = e[..(n * c)];
        Elementary.Exp(all, all);
        for (var j = 0; j < c; j++)
        {
            var ec = e.Slice(j * n, n);
            for (var i = 0; i < n; i++)
                sum[i] += ec[i];
        }
    }

    /// <summary>Batch-averaged cross-entropy for one-hot targets: −Σ t·log(y + 1e-7) / N.</summary>
    public static double CrossEntropy(Tensor y, Tensor oneHot)
    {
        Shape.RequireSame(y, oneHot, "CrossEntropy targets");
        var a = Mat.Data(y);
        var t = Mat.Data(oneHot);
        var acc = 0.0;
        for (var k = 0; k < a.Length; k++)
            if (t[k] != 0)
                acc += t[k] * Elementary.Log(a[k] + LogGuard);
        return -acc / y.RowCount;
    }

    /// <summary>−Σ t·log_softmax(x) / N from raw scores, via log-sum-exp with the row max subtracted.</summary>
    public static double SoftmaxCrossEntropy(Tensor scores, Tensor oneHot) =>
        -SoftmaxCrossEntropySum(scores, oneHot, 0.0) / scores.RowCount;

    /// <summary><paramref name="acc"/> + Σ t·log_softmax(x), row after row (each row's terms in class order), so a
    /// data set cut into batches sums its rows in the order of one pass.</summary>
    internal static double SoftmaxCrossEntropySum(Tensor scores, Tensor oneHot, double acc)
    {
        Shape.RequireSame(scores, oneHot, "SoftmaxCrossEntropy targets");
        var n = scores.RowCount;
        var c = scores.ColumnCount;
        var x = Mat.Data(scores);
        var t = Mat.Data(oneHot);
        Span<double> max = n <= StackRows ? stackalloc double[n] : new double[n];
        Span<double> sum = n <= StackRows ? stackalloc double[n] : new double[n];
        ShiftedExp(x, n, c, new double[n * c], max, sum);
        for (var i = 0; i < n; i++)
        {
            var logZ = max[i] + Elementary.Log(sum[i]);
            for (var j = 0; j < c; j++)
                if (t[j * n + i] != 0)
                    acc += t[j * n + i] * (x[j * n + i] - logZ);
        }
        return acc;
    }

    /// <summary>Batch-averaged cross-entropy for integer labels: −Σ log(y[i, label_i] + 1e-7) / N.</summary>
    public static double CrossEntropy(Tensor y, ReadOnlySpan<int> labels)
    {
        Shape.Require(
            labels.Length == y.RowCount,
            $"CrossEntropy: expected {y.RowCount} labels (one per row), got {labels.Length}."
        );
        var a = Mat.Data(y);
        var n = y.RowCount;
        var acc = 0.0;
        for (var i = 0; i < n; i++)
        {
            var c = labels[i];
            Shape.Require(
                (uint)c < (uint)y.ColumnCount,
                $"CrossEntropy: label {c} at row {i} is outside 0..{y.ColumnCount - 1}."
            );
            acc += Elementary.Log(a[c * n + i] + LogGuard);
        }
        return -acc / n;
    }

    /// <summary>The book's sum of squares error: 0.5·Σ(y − t)² (chapter 4; 0.0975 for its worked example).</summary>
    public static double SumSquaredError(Tensor y, Tensor t)
    {
        Shape.RequireSame(y, t, "SumSquaredError targets");
        return 0.5 * Mat.SumOfSquares(y - t);
    }

    /// <summary>Mean squared error over all elements: mean((y − t)²), as Flux's <c>mse</c>.</summary>
    public static double MeanSquaredError(Tensor y, Tensor t)
    {
        Shape.RequireSame(y, t, "MeanSquaredError targets");
        return Mat.SumOfSquares(y - t) / (y.RowCount * (double)y.ColumnCount);
    }
}
