using System.Reflection;
using Functional.Core;
using Xunit;

namespace Functional.Tests.Core;

/// <summary>The pool of dead states' arrays behind <see cref="Functional.Training.Train.Run"/>.</summary>
public class RecyclerTests
{
    [Fact]
    public void A_retired_array_is_taken_once_and_only_from_the_pool_that_retired_it()
    {
        var old = new double[16];
        var r = new Recycler([]);
        r.Retire([old], []);
        Assert.Null(new Recycler([]).Take(16)); // another pool holds nothing
        Assert.Same(old, r.Take(16));
        Assert.Null(r.Take(16)); // taken once
    }

    [Fact]
    public void Mat_NewReusing_draws_from_the_given_pool_and_only_for_its_length()
    {
        var old = new double[12];
        var r = new Recycler([]);
        r.Retire([old], []);
        Assert.NotSame(old, Mat.NewReusing(5, 2, r).D);
        Assert.NotSame(old, Mat.New(3, 4).D); // no pool named, no pool used
        var (m, d) = Mat.NewReusing(3, 4, r);
        Assert.Same(old, d);
        Assert.Same(old, Mat.Data(m));
    }

    [Fact]
    public void Arrays_the_next_state_shares_or_the_start_state_holds_are_never_retired()
    {
        var (kept, shared, dead) = (new double[8], new double[8], new double[8]);
        var r = new Recycler([kept]);
        r.Retire([kept, shared, dead, dead], [shared]);
        Assert.Same(dead, r.Take(8));
        Assert.Null(r.Take(8)); // dead once, though listed twice; kept and shared not at all
    }

    [Fact]
    public void The_pool_keeps_at_most_one_states_worth_of_each_length()
    {
        var r = new Recycler([]);
        for (var i = 0; i < 5; i++)
            r.Retire([new double[4], new double[4]], []);
        var taken = Enumerable.Range(0, 3).Select(_ => r.Take(4)).ToArray();
        Assert.NotNull(taken[0]);
        Assert.NotNull(taken[1]);
        Assert.Null(taken[2]);
    }

    /// <summary>Reuse is an object passed by name: nothing in the library keeps per-thread state for it, except the
    /// kernels' one packing buffer per thread (docs/ARCHITECTURE.md, "What the kernels keep"), which is listed here so
    /// that any other such field fails.</summary>
    [Fact]
    public void The_library_keeps_no_thread_static_or_async_local_state()
    {
        Assert.Empty(PerThreadFields(typeof(Tensor).Assembly));
        Assert.Equal(["Functional.Kernels.Gemm.t_scratch"], PerThreadFields(typeof(Functional.Kernels.Gemm).Assembly));
    }

    static List<string> PerThreadFields(Assembly assembly) =>
        assembly
            .GetTypes()
            .SelectMany(t =>
                t.GetFields(
                        BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly
                    )
                    .Where(f =>
                        f.IsDefined(typeof(ThreadStaticAttribute))
                        || f.FieldType.IsGenericType
                            && f.FieldType.GetGenericTypeDefinition() is var g
                            && (g == typeof(ThreadLocal<>) || g == typeof(AsyncLocal<>))
                    )
                    .Select(f => $"{t.FullName}.{f.Name}")
            )
            .ToList();
}
