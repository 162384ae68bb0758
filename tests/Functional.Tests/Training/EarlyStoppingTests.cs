using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>Early stopping as a function of the validation history.</summary>
public class EarlyStoppingTests
{
    [Fact]
    public void It_stops_once_patience_epochs_bring_no_lower_loss()
    {
        double[] losses = [3, 2, 2.5, 2.1];
        Assert.Equal(1, EarlyStopping.BestEpoch(losses));
        Assert.True(EarlyStopping.ShouldStop(losses, 2));
        Assert.False(EarlyStopping.ShouldStop(losses, 3));
        Assert.False(EarlyStopping.ShouldStop(losses[..3], 2));
        // An equal loss is no improvement: the first lowest is the best.
        Assert.True(EarlyStopping.ShouldStop([1, 1], 1));
    }

    [Fact]
    public void Nan_never_counts_as_best_and_an_empty_history_does_not_stop()
    {
        Assert.Equal(-1, EarlyStopping.BestEpoch([]));
        Assert.Equal(1, EarlyStopping.BestEpoch([double.NaN, 4, double.NaN]));
        Assert.False(EarlyStopping.ShouldStop([], 1));
        Assert.True(EarlyStopping.ShouldStop([double.NaN], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => EarlyStopping.ShouldStop([1], 0));
    }
}
