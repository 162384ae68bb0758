using Functional.Core;
using Xunit;

namespace Functional.Tests.Core;

/// <summary>The pool of dead states' arrays behind <see cref="Functional.Training.Train.Run"/>.</summary>
public class RecyclerTests
{
    /// <summary><paramref name="f"/> with <paramref name="r"/> lent, as the training step lends it.</summary>
    static T With<T>(Recycler r, Func<T> f)
    {
        using (Recycler.Lend(r))
            return f();
    }

    [Fact]
    public void A_retired_array_is_taken_only_while_the_pool_is_lent()
    {
        var old = new double[16];
        var r = new Recycler([]);
        r.Retire([old], []);
        Assert.Null(Recycler.Take(16)); // not lent
        Assert.Same(old, With(r, () => Recycler.Take(16)));
        Assert.Null(With(r, () => Recycler.Take(16))); // taken once
    }

    [Fact]
    public void Mat_New_draws_from_the_lent_pool_and_only_for_its_length()
    {
        var old = new double[12];
        var r = new Recycler([]);
        r.Retire([old], []);
        var (other, _) = With(r, () => Mat.New(5, 2));
        Assert.NotSame(old, Mat.Data(other));
        var (m, d) = With(r, () => Mat.New(3, 4));
        Assert.Same(old, d);
        Assert.Same(old, Mat.Data(m));
    }

    [Fact]
    public void Arrays_the_next_state_shares_or_the_start_state_holds_are_never_retired()
    {
        var (kept, shared, dead) = (new double[8], new double[8], new double[8]);
        var r = new Recycler([kept]);
        r.Retire([kept, shared, dead, dead], [shared]);
        var taken = With(r, () => new[] { Recycler.Take(8), Recycler.Take(8) });
        Assert.Same(dead, taken[0]);
        Assert.Null(taken[1]); // dead once, though listed twice; kept and shared not at all
    }

    [Fact]
    public void The_pool_keeps_at_most_one_states_worth_of_each_length()
    {
        var r = new Recycler([]);
        for (var i = 0; i < 5; i++)
            r.Retire([new double[4], new double[4]], []);
        var taken = With(r, () => Enumerable.Range(0, 3).Select(_ => Recycler.Take(4)).ToArray());
        Assert.NotNull(taken[0]);
        Assert.NotNull(taken[1]);
        Assert.Null(taken[2]);
    }

    [Fact]
    public void Lending_ends_when_the_lent_work_throws()
    {
        var r = new Recycler([]);
        r.Retire([new double[3]], []);
        Assert.Throws<InvalidOperationException>(() => With<int>(r, () => throw new InvalidOperationException()));
        Assert.Null(Recycler.Take(3));
    }
}
