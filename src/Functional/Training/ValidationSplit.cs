using Functional.Core;
using Functional.Data;

namespace Functional.Training;

/// <summary>A training set with a validation set held out of it.</summary>
/// <param name="Train">The rows trained on.</param>
/// <param name="Validation">The held-out rows the validation loss is measured on.</param>
public sealed record TrainValidation(Dataset Train, Dataset Validation);

/// <summary>
/// Holds out a fraction of a training set, by a permutation drawn from the run's key
/// (<c>key.FoldIn(KeyPurpose.Split).FoldIn(ValidationSplit.Fold)</c>, distinct from the data set's own train/test
/// split): the same key and rows give the same split, so a resumed run validates on the same rows.
/// </summary>
public static class ValidationSplit
{
    /// <summary>The sub-key of <see cref="KeyPurpose.Split"/> for the validation split.</summary>
    public const ulong Fold = 1;

    /// <summary>⌈count · fraction⌉ rows (as <see cref="Splits.TestCount"/>) go to validation, the rest, in
    /// permutation order, to training.</summary>
    /// <exception cref="ArgumentException">The fraction is outside (0, 1), or either side would be empty.</exception>
    public static TrainValidation Of(Dataset train, double fraction, Key key)
    {
        if (!(fraction is > 0 and < 1))
            throw new ArgumentOutOfRangeException(
                nameof(fraction),
                fraction,
                "the validation fraction must be in (0, 1)"
            );
        var n = Splits.TestCount(train.Count, fraction);
        if (n >= train.Count)
            throw new ArgumentException(
                $"a validation fraction of {fraction:R} of {train.Count} samples leaves none to train on",
                nameof(fraction)
            );
        var perm = Sampling.Permutation(key.FoldIn(KeyPurpose.Split).FoldIn(Fold), train.Count);
        var split = Splits.ByPermutation(train, perm, n);
        return new TrainValidation(
            split.Train with
            {
                Name = train.Name,
            },
            split.Test with
            {
                Name = $"{train.Name}-validation",
            }
        );
    }
}
