using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Data;
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
/// The networks the exporters are checked on, each trained briefly (on the digits, the regression set, or
/// Fashion-MNIST for SimpleConvNet) so the weights and BatchNorm's running statistics are far from their initial
/// values (trained once per test run).
/// </summary>
public static class ExportModels
{
    static readonly Lazy<Dataset[]> Digits = new(() =>
    {
        var d = DataSets.Digits(seed: 1);
        return [d.Train, d.Test];
    });

    /// <summary>The first 2000 training and 500 test images of Fashion-MNIST (data/fashion-mnist-mini), 28×28.</summary>
    static readonly Lazy<Dataset[]> Fashion = new(() =>
    {
        var d = DataSets
            .FashionMnist(RepoData.Path("fashion-mnist-mini"))
            .Match(x => x, e => throw new InvalidOperationException(e.Message));
        return [d.Train, d.Test];
    });

    static ExportModel Trained(string name, Network net, IRule rule, int steps) =>
        Trained(name, net, rule, steps, Digits.Value);

    static ExportModel Trained(string name, Network net, IRule rule, int steps, Dataset[] data)
    {
        var train = data[0];
        var start = TrainState.Start(net, rule, Key.Of(7));
        var end = Functional
            .Training.Train.Run(net, rule, start, train, new Batches(train.Count, 16, BatchSampling.Shuffle), steps)
            .State;
        return new(name, net, end.Params, end.Model, Mat.RowRange(data[1].X, 0, 64));
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
            Trained("simple-convnet", Nets.SimpleConvNet(), new Adam(0.002), 150, Fashion.Value),
            Trained("conv-stride-pad", StridedConvNet(), new Adam(0.01), 300),
        ]
    );

    /// <summary>
    /// A conv net on the 8×8 digits with what SimpleConvNet lacks: a stride-2 padded convolution, a second
    /// convolution over several channels, an average pool with padding and a non-square window, and a padded max
    /// pool. Shapes: 1×8×8 → 8×4×4 → 6×4×4 → 6×5×4 → 6×3×2 → 36 → 10.
    /// </summary>
    static Network StridedConvNet()
    {
        var he = new WeightInit.He();
        return new Network(
            SampleShape.Image(1, 8, 8),
            Prelude.Seq<Layer>(
                new Conv2D(1, 8, 3, 3, 2, 1, he),
                new Relu(),
                new Conv2D(8, 6, 3, 3, 1, 1, he),
                new Tanh(),
                new AvgPool2D(2, 3, 1, 1),
                new MaxPool2D(3, 3, 2, 1),
                new Flatten(),
                new Affine(36, 10, he)
            ),
            new SoftmaxWithLoss()
        );
    }

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
