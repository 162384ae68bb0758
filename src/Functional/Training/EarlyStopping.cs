namespace Functional.Training;

/// <summary>
/// Early stopping (Keras' EarlyStopping with min_delta 0) as a pure function of the per-epoch validation losses:
/// stop once <c>patience</c> epochs have passed without a loss below the best so far. The decision is recomputed
/// from the history, so a resumed run stops where the straight run does.
/// </summary>
public static class EarlyStopping
{
    /// <summary>The 0-based index of the first lowest loss (NaN never counts as lowest); −1 when there is none.</summary>
    public static int BestEpoch(IReadOnlyList<double> validationLosses)
    {
        var (best, at) = (double.PositiveInfinity, -1);
        for (var i = 0; i < validationLosses.Count; i++)
            if (validationLosses[i] < best)
                (best, at) = (validationLosses[i], i);
        return at;
    }

    /// <summary>True when the last <paramref name="patience"/> epochs (or more) brought no loss below the best
    /// before them: with the best at 0-based epoch b of n, when n − 1 − b ≥ patience.</summary>
    /// <param name="validationLosses">The validation loss after each epoch, in order.</param>
    /// <param name="patience">Epochs without improvement that stop the run; positive.</param>
    public static bool ShouldStop(IReadOnlyList<double> validationLosses, int patience)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
        return validationLosses.Count > 0 && validationLosses.Count - 1 - BestEpoch(validationLosses) >= patience;
    }
}
