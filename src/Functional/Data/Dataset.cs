using System.Collections.Immutable;
using Functional.Core;

namespace Functional.Data;

/// <summary>
/// X: rows = samples, columns = features. T: targets (one-hot rows for classification, or the regression target
/// columns). Labels: the integer class per row (empty for regression). ClassNames: names of the classes.
/// </summary>
public sealed record Dataset(
    string Name,
    Matrix X,
    Matrix T,
    ImmutableArray<int> Labels,
    ImmutableArray<string> ClassNames
)
{
    public int Count => X.RowCount;
    public int Features => X.ColumnCount;
    public bool IsClassification => !Labels.IsDefaultOrEmpty;

    public Dataset Take(int n) => Rows(Enumerable.Range(0, Math.Min(n, Count)).ToArray());

    /// <summary>A new data set with the given rows, in that order.</summary>
    public Dataset Rows(int[] indices) =>
        this with
        {
            X = Mat.Rows(X, indices),
            T = Mat.Rows(T, indices),
            Labels = IsClassification ? [.. indices.Select(i => Labels[i])] : Labels,
        };
}

public sealed record TrainTest(Dataset Train, Dataset Test);
