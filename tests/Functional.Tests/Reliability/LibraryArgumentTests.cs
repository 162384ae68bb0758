using Functional.Core;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Reliability;

/// <summary>Library entry points given impossible arguments: an ArgumentException naming the argument and the
/// fix, at once — never a hang, a division by zero or an index error later.</summary>
public sealed class LibraryArgumentTests
{
    static readonly Functional.Models.Network Net = Nets.MultiLayerNetExtend(4, [3], 2);

    static Dataset Data(int n) =>
        new(
            "toy",
            Support.TestData.Normal(1, n, 4),
            Support.TestData.OneHot(2, n, 2),
            [.. Enumerable.Range(0, n).Select(i => i % 2)],
            ["a", "b"]
        );

    public static TheoryData<string, string, string> Cases() =>
        new()
        {
            { "Evaluate chunk 0", "chunk", "positive" },
            { "Evaluate chunk -5", "chunk", "positive" },
            { "Evaluate empty", "data", "no samples" },
            { "Predict chunk 0", "chunk", "positive" },
            { "Accuracy chunk 0", "chunk", "positive" },
            { "Batches size 0", "BatchSize", "got 0" },
            { "Batches size -1", "BatchSize", "got -1" },
            { "Batches count 0", "Count", "empty" },
            { "Run on fewer rows than the batches", "data", "Count" },
            { "Run on an empty set", "Count", "empty" },
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Throws_an_ArgumentException_naming_the_argument(string entry, string param, string fix)
    {
        var ps = Net.Init(Key.Of(1));
        var st = Net.InitState();
        var opt = new Sgd();
        var start = TrainState.Start(Net, opt, Key.Of(1));
        Action act = entry switch
        {
            "Evaluate chunk 0" => () => Train.Evaluate(Net, ps, st, Data(5), chunk: 0),
            "Evaluate chunk -5" => () => Train.Evaluate(Net, ps, st, Data(5), chunk: -5),
            "Evaluate empty" => () => Train.Evaluate(Net, ps, st, Data(0)),
            "Predict chunk 0" => () => Net.Predict(ps, st, Data(5).X, chunk: 0),
            "Accuracy chunk 0" => () => Net.Accuracy(ps, st, Data(5).X, Data(5).Labels.AsSpan(), chunk: 0),
            "Batches size 0" => () => _ = new Batches(10, 0, BatchSampling.Shuffle),
            "Batches size -1" => () => _ = new Batches(10, -1, BatchSampling.Replacement),
            "Batches count 0" => () => _ = new Batches(0, 10, BatchSampling.Shuffle),
            "Run on fewer rows than the batches" => () =>
                Train.Run(Net, opt, start, Data(5), new Batches(50, 10, BatchSampling.Shuffle), 3),
            "Run on an empty set" => () =>
                Train.Run(Net, opt, start, Data(0), new Batches(Data(0).Count, 10, BatchSampling.Shuffle), 3),
            _ => throw new ArgumentOutOfRangeException(nameof(entry)),
        };
        // a hang (the old chunk-0 loop) fails here with a TimeoutException instead of stalling the suite
        var e = await Task.Run(() => Assert.ThrowsAny<ArgumentException>(act)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(param, e.ParamName);
        Assert.Contains(fix, e.Message, StringComparison.Ordinal);
    }
}
