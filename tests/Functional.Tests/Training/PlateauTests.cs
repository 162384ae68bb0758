using Functional.Optim;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>Reduce-on-plateau as a function of the validation history.</summary>
public class PlateauTests
{
    [Fact]
    public void The_multiplier_drops_after_patience_epochs_without_a_lower_loss()
    {
        // best 5, 4; then 4, 4 (two bad: ×0.5, count restarts); 3 best; 3, 3 (two bad: ×0.5); 3 (one bad).
        double[] losses = [5, 4, 4, 4, 3, 3, 3, 3];
        Assert.Equal([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25], Plateau.Factors(losses, 0.5, 2));
        Assert.Equal(0.25, Plateau.Factor(losses, 0.5, 2));
        Assert.Equal(0.5, Plateau.Factor(losses[..4], 0.5, 2));
        // Patience 1: every epoch that is not a new best reduces.
        Assert.Equal([1, 1, 0.1, 0.1 * 0.1, 0.1 * 0.1], Plateau.Factors([2, 1, 1.5, 1.2, 0.9], 0.1, 1));
    }

    [Fact]
    public void A_nan_loss_is_a_bad_epoch_and_an_empty_history_is_factor_1()
    {
        Assert.Equal([1, 0.5], Plateau.Factors([1, double.NaN], 0.5, 1));
        Assert.Equal(1.0, Plateau.Factor([], 0.5, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plateau.Factor([1], 1.0, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Plateau.Factor([1], 0.5, 0));
    }

    [Fact]
    public void The_stage_sets_the_multiplier_and_keeps_the_rules_slots()
    {
        var base_ = new Adam(0.01);
        var with = Plateau.With(base_);
        Assert.Equal(base_.SlotSize, with.SlotSize);
        var at = Plateau.At(with, 0.25);
        Assert.Equal(new Chain(base_, new ScaleBySchedule(new LearningRateSchedule.Fixed(0.25))), at);
        Assert.Equal(with, Plateau.At(at, 1.0));
        Assert.Throws<ArgumentException>(() => Plateau.At(base_, 0.5));
    }
}
