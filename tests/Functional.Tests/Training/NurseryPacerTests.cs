using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

public class NurseryPacerTests
{
    [Fact]
    public void Collects_generation_zero_only_after_the_budget_is_allocated()
    {
        var pacer = new NurseryPacer();
        var small = new byte[1024];
        var same = pacer.Tick();
        Assert.Equal(pacer.Mark, same.Mark);
        GC.KeepAlive(small);

        // Small steps adding up to the budget: one collection.
        var steps = new List<byte[]>();
        var p = pacer;
        while (GC.GetAllocatedBytesForCurrentThread() - pacer.Mark < NurseryPacer.Budget)
        {
            steps.Add(new byte[64 << 10]);
            p = p.Tick();
        }
        Assert.True(p.Mark >= pacer.Mark + NurseryPacer.Budget, $"mark {pacer.Mark} → {p.Mark}");
        Assert.Equal(1, p.Collections);
        GC.KeepAlive(steps);
    }

    [Fact]
    public void Leaves_large_steps_to_the_runtime()
    {
        var pacer = new NurseryPacer();
        var step = new List<byte[]>();
        while (GC.GetAllocatedBytesForCurrentThread() - pacer.Mark < NurseryPacer.Budget)
            step.Add(new byte[64 << 10]);
        var next = pacer.Tick();
        // One step past the budget, but too large to be worth pacing: the marks move on, no collection.
        Assert.Equal(0, next.Collections);
        Assert.Equal(next.Mark, next.Last);
        Assert.True(next.Mark - pacer.Mark >= NurseryPacer.Budget);
        GC.KeepAlive(step);
    }
}
