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
        Assert.Equal(pacer, same);
        GC.KeepAlive(small);

        var before = GC.CollectionCount(0);
        var big = new byte[NurseryPacer.Budget + 1];
        var next = pacer.Tick();
        Assert.True(next.Mark >= pacer.Mark + NurseryPacer.Budget, $"mark {pacer.Mark} → {next.Mark}");
        Assert.True(GC.CollectionCount(0) > before, "no generation-0 collection was made");
        GC.KeepAlive(big);
    }
}
