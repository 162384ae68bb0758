using System.Diagnostics.Tracing;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>
/// The training loops force no garbage collection unless the caller asks for <see cref="GcPacing.Nursery"/>. Counted
/// from the runtime's own GC events: a forced collection is a GCStart whose reason is "induced".
/// </summary>
[Collection(nameof(ProcessWide))]
public class GcPacingTests
{
    sealed class InducedCollections : EventListener
    {
        int _count;

        public int Count => Volatile.Read(ref _count);

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, EventLevel.Informational, (EventKeywords)0x1); // GC keyword
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            // GCStart_V2's Reason: 1 = induced (GC.Collect), 7 = induced, not forced (compacting/low memory hints).
            if (
                e.EventName?.StartsWith("GCStart", StringComparison.Ordinal) == true
                && e.PayloadNames?.IndexOf("Reason") is int i and >= 0
                && Convert.ToInt32(e.Payload![i], System.Globalization.CultureInfo.InvariantCulture) is 1 or 7
            )
                Interlocked.Increment(ref _count);
        }
    }

    static int Induced(Action run)
    {
        using var listener = new InducedCollections();
        Thread.Sleep(200); // the runtime's event source attaches asynchronously
        var before = listener.Count;
        run();
        Thread.Sleep(200); // events are dispatched on another thread
        return listener.Count - before;
    }

    // A small network whose steps allocate well under NurseryPacer.LargeStep, so pacing applies; enough steps to
    // allocate several budgets.
    static (Network Net, IRule Rule, TrainState Start, Functional.Data.Dataset Data, Batches Batches) Setup()
    {
        var data = TestData.Toy(5, 200);
        var net = Nets.MultiLayerNetExtend(6, [32], 3, batchNorm: true);
        var rule = new Sgd(0.05);
        return (
            net,
            rule,
            TrainState.Start(net, rule, Key.Of(2)),
            data,
            new Batches(data.Count, 10, BatchSampling.Shuffle)
        );
    }

    [Fact]
    public void Library_training_loops_force_no_collection_by_default()
    {
        var (net, rule, start, data, batches) = Setup();
        var steps = 3000L;
        Assert.Equal(0, Induced(() => Train.Run(net, rule, start, data, batches, steps)));
        Assert.Equal(0, Induced(() => _ = Train.Steps(net, rule, start, data, batches, steps).Last()));
        var both = new Functional.Data.TrainTest(data, data);
        Assert.Equal(0, Induced(() => _ = Train.Epochs(net, rule, start, both, batches, 400).Last()));
    }

    [Fact]
    public void Nursery_pacing_collects_when_asked_and_changes_no_bit()
    {
        var (net, rule, start, data, batches) = Setup();
        StepResult paced = null!;
        var induced = Induced(() => paced = Train.Run(net, rule, start, data, batches, 3000, gc: GcPacing.Nursery));
        Assert.True(induced > 0, "the paced loop asked for no collection: the listener or the pacing is broken");
        var plain = Train.Run(net, rule, start, data, batches, 3000);
        Assert.Equal(ParamsHash.Sha256(plain.State.Params), ParamsHash.Sha256(paced.State.Params));
    }
}
