using System.Runtime.CompilerServices;
using Functional.Core;
using Functional.Numerics;

namespace Functional.Layers;

/// <summary>The last layer of a network: turns scores and targets into a loss and the first gradient.</summary>
public abstract record LossLayer
{
    /// <summary>The loss of <paramref name="scores"/> against <paramref name="targets"/>, and what backward needs.</summary>
    public abstract (double Loss, LayerCache Cache) Forward(Tensor scores, Tensor targets);

    /// <summary>The gradient of the loss with respect to the scores.</summary>
    public abstract Tensor Backward(LayerCache cache);

    /// <summary>Scores turned into the model's output (probabilities for softmax, identity for MSE).</summary>
    public abstract Tensor Output(Tensor scores);

    /// <summary>A one-line description for model summaries.</summary>
    public abstract string Describe();

    /// <summary>
    /// The running sum behind a data set's loss (<c>Train.Evaluate</c>): <paramref name="sum"/> plus this batch's
    /// terms, row after row, so that the loss of a data set cut into batches of any size has the bits of one pass.
    /// The built-in losses add each row's terms; this default adds the batch's mean times its rows, whose last bits
    /// then depend on the cut.
    /// </summary>
    internal virtual double AddToSum(double sum, Tensor scores, Tensor targets) =>
        sum + Forward(scores, targets).Loss * scores.RowCount;

    /// <summary>The mean loss of <paramref name="rows"/> rows of <paramref name="columns"/> scores from the sum of
    /// <see cref="AddToSum"/>.</summary>
    internal virtual double MeanOfSum(double sum, int rows, int columns) => sum / rows;

    /// <summary>Loss and the gradient of the scores in one go (the training step's path). The default composes
    /// <see cref="Forward"/> and <see cref="Backward"/>; the built-in losses fuse them into one pass.</summary>
    internal virtual (double Loss, Tensor DScores) LossAndGradient(Tensor scores, Tensor targets)
    {
        var (loss, cache) = Forward(scores, targets);
        return (loss, Backward(cache));
    }
}

/// <summary>
/// Softmax followed by batch-averaged cross-entropy; backward gives (y − t)/N. The loss is computed as
/// −Σ t·log_softmax(x)/N (log-sum-exp after subtracting the row max) rather than the book's log(y + 1e-7):
/// it is finite for any finite logits, and (y − t)/N is then its exact gradient, whereas the guard shifts the
/// loss's true gradient by a factor y/(y + 1e-7) that a float64 gradient check detects.
/// </summary>
public sealed record SoftmaxWithLoss : LossLayer
{
    /// <summary>The softmax and the targets.</summary>
    internal sealed record Cache(Tensor Y, Tensor T) : LayerCache;

    /// <summary>One-hot (or soft) targets, one row per sample.</summary>
    public override (double Loss, LayerCache Cache) Forward(Tensor scores, Tensor targets)
    {
        Shape.RequireSame(scores, targets, "SoftmaxWithLoss targets (one-hot, one row per sample)");
        return (Functions.SoftmaxCrossEntropy(scores, targets), new Cache(Functions.Softmax(scores), targets));
    }

    /// <summary>Integer-label targets.</summary>
    public (double Loss, LayerCache Cache) Forward(Tensor scores, ReadOnlySpan<int> labels)
    {
        Shape.Require(
            labels.Length == scores.RowCount,
            $"SoftmaxWithLoss: expected {scores.RowCount} labels (one per row), got {labels.Length}."
        );
        return Forward(scores, Mat.OneHot(labels, scores.ColumnCount));
    }

    /// <summary>(y − t)/N.</summary>
    public override Tensor Backward(LayerCache cache)
    {
        var c = (Cache)cache;
        return (c.Y - c.T) * (1.0 / c.Y.RowCount); // ×(1/n), the bits of MathNet's scalar division
    }

    /// <summary>The softmax of the scores (class probabilities).</summary>
    public override Tensor Output(Tensor scores) => Functions.Softmax(scores);

    /// <summary>Σ t·log_softmax(x) continued row after row; the loss is its negative over the rows.</summary>
    internal override double AddToSum(double sum, Tensor scores, Tensor targets) =>
        Functions.SoftmaxCrossEntropySum(scores, targets, sum);

    internal override double MeanOfSum(double sum, int rows, int columns) => -sum / rows;

    /// <inheritdoc/>
    public override string Describe() => "SoftmaxWithLoss (mean cross-entropy)";

    /// <summary>
    /// Per row: max, exp(x − max) and their sum (<see cref="Functions.ShiftedExp"/>), log Z, the loss terms and (softmax − t)·(1/N). The same
    /// operations in the same order as <see cref="Functions.SoftmaxCrossEntropy"/>, <see cref="Functions.Softmax"/>
    /// and <see cref="Backward"/>, so the bits match; the softmax itself is never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override (double Loss, Tensor DScores) LossAndGradient(Tensor scores, Tensor targets)
    {
        Shape.RequireSame(scores, targets, "SoftmaxWithLoss targets (one-hot, one row per sample)");
        int n = scores.RowCount,
            c = scores.ColumnCount;
        var x = Mat.Data(scores);
        var t = Mat.Data(targets);
        var (dx, d) = Mat.New(n, c);
        var invN = 1.0 / n;
        Span<double> max = n <= Functions.StackRows ? stackalloc double[n] : new double[n];
        Span<double> sum = n <= Functions.StackRows ? stackalloc double[n] : new double[n];
        Functions.ShiftedExp(x, n, c, d, max, sum);
        var acc = 0.0;
        for (var i = 0; i < n; i++)
        {
            var logZ = max[i] + Elementary.Log(sum[i]);
            for (var j = 0; j < c; j++)
            {
                var k = j * n + i;
                if (t[k] != 0)
                    acc += t[k] * (x[k] - logZ);
                d[k] = (d[k] / sum[i] - t[k]) * invN;
            }
        }
        return (-acc / n, dx);
    }
}

/// <summary>Mean squared error over all elements, mean((y − t)²) as Flux's mse; backward 2(y − t)/numel.</summary>
public sealed record MeanSquaredError : LossLayer
{
    /// <summary>y − t.</summary>
    internal sealed record Cache(Tensor Diff) : LayerCache;

    /// <inheritdoc/>
    public override (double Loss, LayerCache Cache) Forward(Tensor scores, Tensor targets)
    {
        Shape.RequireSame(scores, targets, "MeanSquaredError targets");
        var diff = scores - targets;
        return (Mat.SumOfSquares(diff) / (diff.RowCount * (double)diff.ColumnCount), new Cache(diff));
    }

    /// <summary>2(y − t)/numel.</summary>
    public override Tensor Backward(LayerCache cache)
    {
        var d = ((Cache)cache).Diff;
        return d * (2.0 / (d.RowCount * (double)d.ColumnCount));
    }

    /// <summary>The scores themselves.</summary>
    public override Tensor Output(Tensor scores) => scores;

    /// <summary>Σ(y − t)² continued row after row (each row's outputs in order); the loss is over rows·columns.</summary>
    internal override double AddToSum(double sum, Tensor scores, Tensor targets)
    {
        Shape.RequireSame(scores, targets, "MeanSquaredError targets");
        int n = scores.RowCount,
            c = scores.ColumnCount;
        var y = Mat.Data(scores);
        var t = Mat.Data(targets);
        for (var i = 0; i < n; i++)
        for (var j = 0; j < c; j++)
        {
            var e = y[j * n + i] - t[j * n + i];
            sum += e * e;
        }
        return sum;
    }

    internal override double MeanOfSum(double sum, int rows, int columns) => sum / (rows * (double)columns);

    /// <summary>One pass: Σ(y − t)² and 2(y − t)/numel, the same operations as Forward and Backward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal override (double Loss, Tensor DScores) LossAndGradient(Tensor scores, Tensor targets)
    {
        Shape.RequireSame(scores, targets, "MeanSquaredError targets");
        var numel = scores.RowCount * (double)scores.ColumnCount;
        var y = Mat.Data(scores);
        var t = Mat.Data(targets);
        var (dx, d) = Mat.New(scores.RowCount, scores.ColumnCount);
        var scale = 2.0 / numel;
        var acc = 0.0;
        for (var k = 0; k < d.Length; k++)
        {
            var e = y[k] - t[k];
            acc += e * e;
            d[k] = e * scale;
        }
        return (acc / numel, dx);
    }

    /// <inheritdoc/>
    public override string Describe() => "MeanSquaredError (mean over elements)";
}
