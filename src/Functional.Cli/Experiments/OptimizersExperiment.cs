using System.Text.Json.Nodes;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 6's optimizer comparison: SGD, Momentum, Nesterov, AdaGrad, RMSprop (lr 0.01) and Adam, AdamW
/// (lr 0.001) on the same MLP 784-[100]×4-10 (He init, ReLU), batch 128, the same batches for each.
/// </summary>
public sealed class OptimizersExperiment : IExperiment
{
    public string Name => "optimizers";
    public string Description => "SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW: smoothed training loss";
    public Knobs Knobs => Knobs.Iterations | Knobs.Batch;

    public JsonObject Run(ExperimentContext ctx)
    {
        var net = Nets.MultiLayerNet(784, [100, 100, 100, 100], 10, HiddenActivation.Relu, new WeightInit.He());
        IRule[] rules =
        [
            new Sgd(0.01),
            new Momentum(0.01),
            new Nesterov(0.01),
            new AdaGrad(0.01),
            new RmsProp(0.01),
            Adam.Dlfs(0.001),
            new AdamW(0.001),
        ];
        string[] labels = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "AdamW"];
        return LossComparison.Run(
            this,
            ctx,
            [.. rules.Zip(labels, (r, l) => new Contender(l, net, r))],
            ctx.Pick(ctx.Iterations, 2000, 300),
            "optimizers.png",
            "Optimizers on an MLP 784-[100]×4-10 (He init, ReLU)",
            1.5
        );
    }
}
