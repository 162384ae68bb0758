using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;

namespace Functional.Cli.Bench;

/// <summary>
/// One seed workload of the peer benchmarks (shared/bench/peers/w*.py), built with the peers' configuration:
/// network, optimizer, batch size, sampling and number of steps. The data set is loaded once by the caller.
/// </summary>
public sealed record Workload(
    string Name,
    string Peer,
    Network Net,
    IRule Opt,
    Dataset Train,
    Batches Batches,
    long Steps,
    string Note
)
{
    /// <summary>The training state after <c>TrainState.Start</c> with this workload's seed.</summary>
    public TrainState Start(ulong seed = 1) => TrainState.Start(Net, Opt, Key.Of(seed));
}

/// <summary>The seed workloads: digits-bn (W1), optimizers (W3), two-layer (W4), regression (W5), and the book's
/// chapter-7 convnet (W7).</summary>
public static class Workloads
{
    public const string DefaultFashionMnist = "/usr/share/datasets/fashion-mnist";

    public static readonly string[] Names =
    [
        "digits-bn",
        "two-layer",
        "optimizers-sgd",
        "optimizers-momentum",
        "optimizers-adagrad",
        "optimizers-adam",
        "optimizers-rmsprop",
        "regression",
        "convnet",
    ];

    /// <summary>W1: 64 → 32 → BatchNorm → ReLU → 10, He init, SGD, batch 10 shuffled, 100 epochs (13 500 steps).</summary>
    public static Workload DigitsBn(Dataset digitsTrain) =>
        new(
            "digits-bn",
            "w1_digits_bn.py",
            Nets.DigitsBatchNorm(),
            new Sgd(0.01),
            digitsTrain,
            new Batches(digitsTrain.Count, 10, BatchSampling.Shuffle),
            (long)new Batches(digitsTrain.Count, 10, BatchSampling.Shuffle).StepsPerEpoch * 100,
            "SGD lr 0.01 on the batch-mean gradient (the CLI default); the peer uses lr 1e-3 on the summed gradient, "
                + "equal except on each epoch's last batch of 7"
        );

    /// <summary>W4: 784 → 50 → ReLU → 10, weights 0.01·N(0,1), SGD 0.1, batch 100 with replacement, 10 000 steps.</summary>
    public static Workload TwoLayer(Dataset fashionTrain) =>
        new(
            "two-layer",
            "w4_two_layer.py",
            Nets.TwoLayerNet(fashionTrain.Features, 50, 10, 0.01),
            new Sgd(0.1),
            fashionTrain,
            new Batches(fashionTrain.Count, 100, BatchSampling.Replacement),
            10_000,
            "training steps only (the peer's ms_per_iter also excludes its evaluations)"
        );

    /// <summary>W3: 784 → [100 ReLU]×4 → 10, He init, batch 128 with replacement, 2 000 steps, one optimizer.</summary>
    public static Workload Optimizers(Dataset fashionTrain, string optimizer)
    {
        IRule rule = optimizer switch
        {
            "sgd" => new Sgd(0.01),
            "momentum" => new Momentum(0.01, 0.9),
            "adagrad" => new AdaGrad(0.01),
            "adam" => Adam.Dlfs(0.001),
            "rmsprop" => new RmsProp(0.01, 0.99),
            _ => throw new ArgumentException(
                $"optimizer '{optimizer}' is not one of sgd, momentum, adagrad, adam, rmsprop"
            ),
        };
        return new(
            "optimizers-" + optimizer,
            "w3_optimizers.py --only " + optimizer,
            Nets.MultiLayerNetExtend(
                fashionTrain.Features,
                [100, 100, 100, 100],
                10,
                HiddenActivation.Relu,
                new WeightInit.He()
            ),
            rule,
            fashionTrain,
            new Batches(fashionTrain.Count, 128, BatchSampling.Replacement),
            2_000,
            ""
        );
    }

    /// <summary>W5: 6 → 10 → sigmoid → BatchNorm (Flux) → 1, MSE, Adam 0.001 (ε 1e-8), batch 20 with replacement, 3 000 steps.</summary>
    public static Workload Regression(Dataset regression) =>
        new(
            "regression",
            "w5_regression.py",
            Nets.FluxRegression(),
            new Adam(0.001, 0.9, 0.999, 1e-8, true),
            regression,
            new Batches(regression.Count, 20, BatchSampling.Replacement),
            3_000,
            ""
        );

    /// <summary>W7: SimpleConvNet on 1×28×28 images (conv 30×5×5 → ReLU → max-pool 2×2 → 4320 → 100 → ReLU → 10),
    /// weights 0.01·N(0,1), Adam 0.001 (the book's form, ε 1e-7), batch 100 with replacement, 600 steps.</summary>
    public static Workload ConvNet(Dataset fashionTrain) =>
        new(
            "convnet",
            "w7_convnet.py",
            Nets.SimpleConvNet(SampleShape.Image(1, 28, 28)),
            Adam.Dlfs(0.001),
            fashionTrain,
            new Batches(fashionTrain.Count, 100, BatchSampling.Replacement),
            600,
            "training steps only, as the peer's ms/iteration"
        );
}
