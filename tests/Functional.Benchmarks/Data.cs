using Functional.Cli;
using Functional.Cli.Bench;
using Functional.Core;
using Functional.Data;
using Functional.Training;

namespace Functional.Benchmarks;

/// <summary>The workloads' data sets, loaded once per process.</summary>
internal static class Data
{
    static readonly Lazy<Dataset> DigitsTrain = new(() => DataSources.Load("digits", null, 1).Train);
    static readonly Lazy<Dataset> FashionTrain = new(() =>
        DataSources
            .Load(
                "fashion-mnist",
                Directory.Exists(Workloads.DefaultFashionMnist) ? Workloads.DefaultFashionMnist : null,
                1
            )
            .Train
    );
    static readonly Lazy<Dataset> RegressionSet = new(() => DataSources.Load("regression", null, 1).Train);

    public static Workload Get(string name) =>
        name switch
        {
            "digits-bn" => Workloads.DigitsBn(DigitsTrain.Value),
            "two-layer" => Workloads.TwoLayer(FashionTrain.Value),
            "regression" => Workloads.Regression(RegressionSet.Value),
            "convnet" => Workloads.ConvNet(FashionTrain.Value),
            _ when name.StartsWith("optimizers-", StringComparison.Ordinal) => Workloads.Optimizers(
                FashionTrain.Value,
                name["optimizers-".Length..]
            ),
            _ => throw new ArgumentException($"unknown workload '{name}'"),
        };

    /// <summary>The workload's state after <paramref name="steps"/> training steps, and that state's next batch.</summary>
    public static (TrainState State, int[] Index, Tensor X, Tensor T) Warm(Workload w, int steps)
    {
        var s = w.Start();
        for (var i = 0; i < steps; i++)
            s = Train.Step(w.Net, w.Opt, s, w.Train, w.Batches).State;
        var idx = w.Batches.At(s.Key, s.Step);
        return (s, idx, Mat.Rows(w.Train.X, idx), Mat.Rows(w.Train.T, idx));
    }
}
