using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;
using Xunit;

namespace Functional.Tests.Interop;

/// <summary>A trained network to export, with a batch to run it on.</summary>
public sealed record ExportModel(string Name, Network Net, Params Params, ModelState State, Tensor Batch)
{
    public override string ToString() => Name;
}

/// <summary>
/// The networks the exporters are checked on, each trained briefly on the digits so the weights and BatchNorm's
/// running statistics are far from their initial values (trained once per test run).
/// </summary>
public static class ExportModels
{
    static readonly Lazy<Dataset[]> Digits = new(() =>
    {
        var d = DataSets.Digits(seed: 1);
        return [d.Train, d.Test];
    });

    static ExportModel Trained(string name, Network net, IRule rule, int steps)
    {
        var train = Digits.Value[0];
        var start = TrainState.Start(net, rule, Key.Of(7));
        var end = Functional
            .Training.Train.Run(net, rule, start, train, new Batches(train.Count, 16, BatchSampling.Shuffle), steps)
            .State;
        return new(name, net, end.Params, end.Model, Mat.RowRange(Digits.Value[1].X, 0, 64));
    }

    static readonly Lazy<ExportModel[]> All = new(() =>
        [
            Trained("digits-bn", Nets.DigitsBatchNorm(), new Sgd(0.05), 400),
            Trained("two-layer", Nets.TwoLayerNet(64, 50, 10, 0.1), new Sgd(0.1), 400),
            Trained("sigmoid-mlp", Nets.MultiLayerNet(64, [40, 20], 10, HiddenActivation.Sigmoid), new Adam(0.01), 400),
            Trained(
                "tanh-dropout-bn",
                Nets.MultiLayerNetExtend(
                    64,
                    [30, 20],
                    10,
                    HiddenActivation.Tanh,
                    batchNorm: true,
                    dropout: 0.2,
                    batchNormConfig: BatchNormConfig.Dlfs
                ),
                new Adam(0.005),
                300
            ),
            Regression(),
        ]
    );

    /// <summary>The Flux regression net (sigmoid, BatchNorm, MSE) on the regression data set.</summary>
    static ExportModel Regression()
    {
        var data = DataSets.Regression();
        var net = Nets.FluxRegression();
        var rule = new Adam(0.01);
        var start = TrainState.Start(net, rule, Key.Of(3));
        var end = Functional
            .Training.Train.Run(
                net,
                rule,
                start,
                data.Train,
                new Batches(data.Train.Count, 32, BatchSampling.Shuffle),
                300
            )
            .State;
        return new("regression", net, end.Params, end.Model, Mat.RowRange(data.Test.X, 0, 64));
    }

    public static ExportModel Named(string name) => All.Value.Single(m => m.Name == name);

    public static string[] NameList => [.. All.Value.Select(m => m.Name)];

    public static TheoryData<string> Names => new(NameList);

    /// <summary>max over elements of |a − b| / max(|a|, |b|) (0 where both are 0).</summary>
    public static double MaxRelativeDifference(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        Xunit.Assert.Equal(a.Length, b.Length);
        var worst = 0.0;
        for (var k = 0; k < a.Length; k++)
        {
            var scale = Math.Max(Math.Abs(a[k]), Math.Abs(b[k]));
            if (scale > 0)
                worst = Math.Max(worst, Math.Abs(a[k] - b[k]) / scale);
            else if (double.IsNaN(a[k]) || double.IsNaN(b[k]))
                return double.NaN;
        }
        return worst;
    }
}
