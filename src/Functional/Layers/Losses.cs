using Functional.Core;

namespace Functional.Layers;

/// <summary>The last layer of a network: turns scores and targets into a loss and the first gradient.</summary>
public abstract record LossLayer
{
    public abstract (double Loss, LayerCache Cache) Forward(Matrix scores, Matrix targets);

    public abstract Matrix Backward(LayerCache cache);

    /// <summary>Scores turned into the model's output (probabilities for softmax, identity for MSE).</summary>
    public abstract Matrix Output(Matrix scores);

    public abstract string Describe();
}

/// <summary>
/// Softmax followed by batch-averaged cross-entropy; backward gives (y − t)/N. The loss is computed as
/// −Σ t·log_softmax(x)/N (log-sum-exp after subtracting the row max) rather than the book's log(y + 1e-7):
/// it is finite for any finite logits, and (y − t)/N is then its exact gradient, whereas the guard shifts the
/// loss's true gradient by a factor y/(y + 1e-7) that a float64 gradient check detects.
/// </summary>
public sealed record SoftmaxWithLoss : LossLayer
{
    public sealed record Cache(Matrix Y, Matrix T) : LayerCache;

    public override (double Loss, LayerCache Cache) Forward(Matrix scores, Matrix targets)
    {
        Shape.RequireSame(scores, targets, "SoftmaxWithLoss targets (one-hot, one row per sample)");
        return (Functions.SoftmaxCrossEntropy(scores, targets), new Cache(Functions.Softmax(scores), targets));
    }

    /// <summary>Integer-label targets.</summary>
    public (double Loss, LayerCache Cache) Forward(Matrix scores, ReadOnlySpan<int> labels)
    {
        Shape.Require(
            labels.Length == scores.RowCount,
            $"SoftmaxWithLoss: expected {scores.RowCount} labels (one per row), got {labels.Length}."
        );
        return Forward(scores, Mat.OneHot(labels, scores.ColumnCount));
    }

    public override Matrix Backward(LayerCache cache)
    {
        var c = (Cache)cache;
        return (c.Y - c.T) / c.Y.RowCount;
    }

    public override Matrix Output(Matrix scores) => Functions.Softmax(scores);

    public override string Describe() => "SoftmaxWithLoss (mean cross-entropy)";
}

/// <summary>Mean squared error over all elements, mean((y − t)²) as Flux's mse; backward 2(y − t)/numel.</summary>
public sealed record MeanSquaredError : LossLayer
{
    public sealed record Cache(Matrix Diff) : LayerCache;

    public override (double Loss, LayerCache Cache) Forward(Matrix scores, Matrix targets)
    {
        Shape.RequireSame(scores, targets, "MeanSquaredError targets");
        var diff = scores - targets;
        return (Mat.SumOfSquares(diff) / (diff.RowCount * (double)diff.ColumnCount), new Cache(diff));
    }

    public override Matrix Backward(LayerCache cache)
    {
        var d = ((Cache)cache).Diff;
        return d * (2.0 / (d.RowCount * (double)d.ColumnCount));
    }

    public override Matrix Output(Matrix scores) => scores;

    public override string Describe() => "MeanSquaredError (mean over elements)";
}
