using System.CommandLine;
using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Training;
using static Functional.Cli.Experiments.TextTable;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>
/// `gradcheck`: backprop against fourth-order numerical gradients (chapter 5's gradient check) for TwoLayerNet and
/// for MultiLayerNetExtend with BatchNorm in training mode, on the first few training images. Exit code 1 when any
/// parameter's max relative error exceeds the tolerance.
/// </summary>
public sealed class GradCheckCommand : ICliCommand
{
    public const double Tolerance = 1e-6;
    public const int ExitFailed = 1;

    public Command Build()
    {
        var dataset = new CliOption("--dataset")
        {
            Description = "fashion-mnist | mnist | digits (default fashion-mnist)",
        };
        var data = new CliOption("--data") { Description = "directory with the data files" };
        var samples = new CliOption("--samples")
        {
            Description = "training samples in the batch (default 3, as the book)",
        };
        var hidden = new CliOption("--hidden")
        {
            Description = "hidden width (default 10; every weight costs four forward passes, so 50 takes minutes)",
        };
        var seed = new CliOption("--seed") { Description = "random seed of the weights (default 1)" };
        var cmd = new Command(
            "gradcheck",
            "Compare backprop with numerical gradients; exit 1 above 1e-6 relative error."
        )
        {
            dataset,
            data,
            samples,
            hidden,
            seed,
        };
        cmd.SetAction(r =>
            Run(
                r.GetValue(dataset) is string d
                    ? TrainConfig.Parse.OneOf("--dataset", d, "fashion-mnist", "mnist", "digits")
                    : "fashion-mnist",
                r.GetValue(data),
                r.GetValue(samples) is string s ? TrainConfig.Parse.PositiveInt("--samples", s) : 3,
                r.GetValue(hidden) is string h ? TrainConfig.Parse.PositiveInt("--hidden", h) : 10,
                r.GetValue(seed) is string k ? TrainConfig.Parse.Seed(k) : 1,
                Console.Out
            )
        );
        return cmd;
    }

    public static int Run(string dataset, string? dataDir, int samples, int hidden, ulong seed, TextWriter log)
    {
        if (samples < 2)
            throw new UsageException(
                $"--samples {samples}: the BatchNorm network is checked in training mode, which needs at least 2 samples; use --samples 2 or more"
            );
        if (hidden > 4096)
            throw new UsageException(
                $"--hidden {hidden}: every weight costs four forward passes; a gradient check of more than 4096 hidden units would not finish"
            );
        var train = DataSources.Load(dataset, dataDir, seed).Train.Take(samples);
        var (n, classes) = (train.Features, train.ClassNames.Length);
        var key = Key.Of(seed);
        var image = TrainConfig.ImageShape(dataset, n);
        (string Name, Network Net)[] nets =
        [
            ($"TwoLayerNet {n}-{hidden}-{classes}", Nets.TwoLayerNet(n, hidden, classes)),
            (
                $"MultiLayerNetExtend {n}-[{hidden},{hidden}]-{classes} + BatchNorm",
                Nets.MultiLayerNetExtend(n, [hidden, hidden], classes, batchNorm: true)
            ),
            (
                $"SimpleConvNet {image} conv 3×3×3-pool-{hidden}-{classes}",
                Nets.SimpleConvNet(image, filters: 3, kernel: 3, hidden: hidden, output: classes, weightInitStd: 0.1)
            ),
        ];
        log.WriteLine($"{train.Count} {dataset} training samples; fourth-order central differences, h = {GradCheck.H}");
        var failed = false;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (name, net) in nets)
        {
            var ps = net.Init(key.FoldIn(KeyPurpose.Init));
            // Training mode: BatchNorm normalises with the batch statistics, the case backprop must get right.
            var st = net.InitState();
            var diffs = GradCheck.Run(net, ps, st, train.X, train.T, Ctx.TrainNoKey);
            var analytic = net.LossAndGrads(ps, st, train.X, train.T, Ctx.TrainNoKey).Grads;
            foreach (var (k, d) in diffs)
            {
                var (ok, note) = Judge(analytic[k], d);
                failed |= !ok;
                rows.Add([name, k.ToString(), E(d.MeanAbsDiff), E(d.MaxRelError), note]);
            }
        }
        Print(log, ["network", "param", "mean |diff|", "max rel error", ""], rows);
        if (rows.Any(r => r[^1].EndsWith('*')))
            log.WriteLine(
                $"* the true gradient is zero (a bias right before BatchNorm): the relative error is rounding noise over a 1e-6 floor, so max |diff| < {G(ZeroGradient)} is required instead"
            );
        log.WriteLine(
            failed
                ? $"gradient check FAILED: some max relative error is above {G(Tolerance)}"
                : $"all gradients agree: every max relative error ≤ {G(Tolerance)}"
        );
        return failed ? ExitFailed : 0;
    }

    /// <summary>Below this the true gradient is zero (an Affine bias right before BatchNorm, which the mean removes).</summary>
    const double ZeroGradient = 1e-9;

    /// <summary>
    /// Relative error against the tolerance, except for an array whose true gradient is zero: there the relative
    /// error only measures rounding noise of the loss (ε·|loss|/h ≈ 1e-12 over the 1e-6 floor of
    /// <see cref="GradCheck.Compare"/>), so the absolute difference is judged instead.
    /// </summary>
    static (bool Ok, string Note) Judge(Tensor analytic, GradDiff d)
    {
        if (analytic.ToArray().Max(Math.Abs) < ZeroGradient)
        {
            var abs = d.MaxRelError * 1e-6; // Compare's scale floor applies: max |diff| = error × 1e-6
            return abs < ZeroGradient ? (true, "ok*") : (false, "FAIL*");
        }
        return d.MaxRelError <= Tolerance ? (true, "ok") : (false, "FAIL");
    }

    static string E(double x) => x.ToString("E2", System.Globalization.CultureInfo.InvariantCulture);
}
