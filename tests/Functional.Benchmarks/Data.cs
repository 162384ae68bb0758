using Functional.Cli;
using Functional.Cli.Bench;
using Functional.Data;

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
            _ when name.StartsWith("optimizers-", StringComparison.Ordinal) => Workloads.Optimizers(
                FashionTrain.Value,
                name["optimizers-".Length..]
            ),
            _ => throw new ArgumentException($"unknown workload '{name}'"),
        };
}
