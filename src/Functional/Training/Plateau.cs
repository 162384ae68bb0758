using Functional.Optim;

namespace Functional.Training;

/// <summary>
/// Reduce-on-plateau as a pure function of the per-epoch validation losses: an epoch whose loss is not below the
/// best so far is a bad epoch; after <c>patience</c> bad epochs in a row the multiplier is scaled by <c>factor</c>
/// and the count restarts. This is Keras' ReduceLROnPlateau with min_delta 0 and no cooldown; PyTorch's waits for
/// more than patience bad epochs, so its patience p is p + 1 here. A run holds only the history, so a resumed run
/// recomputes the multiplier instead of keeping it.
/// </summary>
public static class Plateau
{
    /// <summary>The multiplier after each epoch: entry i is the one in force once losses[0..i] are known (for epoch
    /// i + 2, counting from 1). A NaN loss is a bad epoch.</summary>
    /// <param name="validationLosses">The validation loss after each epoch, in order.</param>
    /// <param name="factor">The reduction, in (0, 1).</param>
    /// <param name="patience">Bad epochs in a row before a reduction; positive.</param>
    public static double[] Factors(IReadOnlyList<double> validationLosses, double factor, int patience)
    {
        Check(factor, patience);
        var result = new double[validationLosses.Count];
        var (best, bad, m) = (double.PositiveInfinity, 0, 1.0);
        for (var i = 0; i < validationLosses.Count; i++)
        {
            if (validationLosses[i] < best)
                (best, bad) = (validationLosses[i], 0);
            else if (++bad >= patience)
                (m, bad) = (m * factor, 0);
            result[i] = m;
        }
        return result;
    }

    /// <summary>The multiplier for the epoch after <paramref name="validationLosses"/> (1 before any epoch).</summary>
    public static double Factor(IReadOnlyList<double> validationLosses, double factor, int patience)
    {
        var f = Factors(validationLosses, factor, patience);
        return f.Length == 0 ? 1.0 : f[^1];
    }

    /// <summary>The stage that carries the multiplier: chained last, it scales the update (see
    /// <see cref="LearningRateSchedule.Warmup"/> for what that means for rules with momentum).</summary>
    public static IRule Stage(double multiplier) => new ScaleBySchedule(new LearningRateSchedule.Fixed(multiplier));

    /// <summary><c>Chain(rule, Stage(1))</c>: the rule a run starts, and checkpoints, with. It has the slots of
    /// <paramref name="rule"/>, so <see cref="At"/> of it restores the same optimizer state.</summary>
    public static IRule With(IRule rule) => new Chain(rule, Stage(1.0));

    /// <summary>A rule built by <see cref="With"/> with its multiplier set to <paramref name="multiplier"/>.</summary>
    /// <exception cref="ArgumentException">The rule does not end with a plateau stage.</exception>
    public static IRule At(IRule withStage, double multiplier) =>
        withStage is Chain { Then: ScaleBySchedule { Schedule: LearningRateSchedule.Fixed } } c
            ? c with
            {
                Then = Stage(multiplier),
            }
            : throw new ArgumentException(
                $"the rule {withStage.Name} does not end with a plateau stage; build it with Plateau.With",
                nameof(withStage)
            );

    static void Check(double factor, int patience)
    {
        if (!(factor is > 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "the plateau factor must be in (0, 1)");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patience);
    }
}
