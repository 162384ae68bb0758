using System.Text.Json.Nodes;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 6's weight-initialisation comparison: N(0, 0.01²) vs Xavier (N(0, 1/n)) vs He (N(0, 2/n)) on an
/// MLP 784-[100]×4-10 with ReLU, SGD lr 0.01, batch 128.
/// </summary>
public sealed class InitExperiment : IExperiment
{
    public string Name => "init";
    public string Description => "weight init std 0.01 vs Xavier vs He (ReLU MLP, SGD): smoothed training loss";
    public Knobs Knobs => Knobs.Iterations | Knobs.Batch;

    public JsonObject Run(ExperimentContext ctx)
    {
        (string, WeightInit)[] inits =
        [
            ("std=0.01", new WeightInit.Std(0.01)),
            ("Xavier", new WeightInit.Xavier()),
            ("He", new WeightInit.He()),
        ];
        return LossComparison.Run(
            this,
            ctx,
            [
                .. inits.Select(i => new Contender(
                    i.Item1,
                    Nets.MultiLayerNet(784, [100, 100, 100, 100], 10, HiddenActivation.Relu, i.Item2),
                    new Sgd(0.01)
                )),
            ],
            ctx.Pick(ctx.Iterations, 2000, 300),
            "init.png",
            "Weight initialisation, MLP 784-[100]×4-10 (ReLU, SGD lr 0.01)",
            2.5
        );
    }
}
