using System.Collections.Immutable;
using Functional.Core;

namespace Functional.Data;

/// <summary>A labelled set of samples, immutable.</summary>
/// <param name="Name">Shown in logs and reports, e.g. <c>"mnist-train"</c>.</param>
/// <param name="X">Rows are samples, columns are features.</param>
/// <param name="T">Targets: one-hot rows for classification, or the regression target columns.</param>
/// <param name="Labels">Integer class per row; empty for regression.</param>
/// <param name="ClassNames">Names of the classes; empty for regression.</param>
public sealed record Dataset(
    string Name,
    Tensor X,
    Tensor T,
    ImmutableArray<int> Labels,
    ImmutableArray<string> ClassNames
)
{
    private readonly ImmutableArray<int> sampleShape;

    /// <summary>The number of samples (rows of X).</summary>
    public int Count => X.RowCount;

    /// <summary>The number of features per sample (columns of X, the flattened sample).</summary>
    public int Features => X.ColumnCount;

    /// <summary>Whether the set has class labels (otherwise T holds regression targets).</summary>
    public bool IsClassification => !Labels.IsDefaultOrEmpty;

    /// <summary>Logical shape of one sample, e.g. (28, 28) for unflattened images; X always stores it flattened.
    /// Defaults to (Features).</summary>
    public ImmutableArray<int> SampleShape
    {
        get => sampleShape.IsDefaultOrEmpty ? [Features] : sampleShape;
        init => sampleShape = value;
    }

    /// <summary>The first <paramref name="n"/> samples (clamped to 0..Count).</summary>
    public Dataset Take(int n) => Rows(Enumerable.Range(0, Math.Clamp(n, 0, Count)).ToArray());

    /// <summary>A new dataset with the given rows, in the given order (repeats allowed).</summary>
    public Dataset Rows(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices)
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(indices));
        var labels = IsClassification ? Gather(Labels, indices) : Labels;
        return this with
        {
            X = Functional.Core.Mat.Rows(X, indices),
            T = Functional.Core.Mat.Rows(T, indices),
            Labels = labels,
        };
    }

    private static ImmutableArray<int> Gather(ImmutableArray<int> source, ReadOnlySpan<int> indices)
    {
        var result = ImmutableArray.CreateBuilder<int>(indices.Length);
        foreach (int i in indices)
            result.Add(source[i]);
        return result.MoveToImmutable();
    }
}
