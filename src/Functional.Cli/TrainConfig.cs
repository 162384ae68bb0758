using System.Globalization;
using System.Text.Json.Nodes;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;

namespace Functional.Cli;

/// <summary>A validated training configuration: what the `train` options mean, and how they turn into parts.</summary>
public sealed record TrainConfig(
    string Dataset,
    string? DataDir,
    int[] Hidden,
    string Activation,
    string Init,
    bool BatchNorm,
    double Dropout,
    double WeightDecay,
    string Optimizer,
    double LearningRate,
    int Batch,
    int? Epochs,
    long? Iterations,
    string Sampling,
    ulong Seed,
    int? LimitTrain = null
)
{
    /// <summary>The seed notebook: digits, 64 → 32 → BatchNorm → ReLU → 10, SGD 0.01, batch 10, 100 epochs, seed 1.</summary>
    public static TrainConfig Default { get; } =
        new("digits", null, [32], "relu", "he", true, 0, 0, "sgd", 0.01, 10, 100, null, "shuffle", 1);

    public BatchSampling SamplingMode => Sampling == "replacement" ? BatchSampling.Replacement : BatchSampling.Shuffle;

    public Network BuildNetwork(int inputs, int outputs)
    {
        var act = Nets.ParseActivation(Activation);
        var init = WeightInit.Parse(Init);
        if (Dataset == "regression")
        {
            // The Flux example's order: Dense → activation → BatchNorm, Flux's BatchNorm conventions, MSE.
            var layers = new List<Layer>();
            var n = inputs;
            foreach (var h in Hidden)
            {
                layers.Add(new Affine(n, h, init));
                layers.Add(
                    act switch
                    {
                        Functional.Models.HiddenActivation.Relu => new Relu(),
                        Functional.Models.HiddenActivation.Sigmoid => new Sigmoid(),
                        _ => new Tanh(),
                    }
                );
                if (BatchNorm)
                    layers.Add(new BatchNorm(h, BatchNormConfig.Flux));
                if (Dropout > 0)
                    layers.Add(new Dropout(Dropout));
                n = h;
            }
            layers.Add(new Affine(n, outputs, init));
            return new Network(inputs, Prelude.toSeq(layers), new MeanSquaredError(), WeightDecay);
        }
        return Nets.MultiLayerNetExtend(inputs, Hidden, outputs, act, init, WeightDecay, BatchNorm, Dropout);
    }

    /// <summary>The optimizer; Adam on the regression uses Flux's ε = 1e-8 (the peers' W5 configuration).</summary>
    public IRule BuildOptimizer() =>
        Optimizer == "adam" && Dataset == "regression"
            ? new Adam(LearningRate, 0.9, 0.999, 1e-8, true)
            : Optimizers.Parse(Optimizer, LearningRate);

    public long TotalSteps(int stepsPerEpoch) => Iterations ?? (long)(Epochs ?? 100) * stepsPerEpoch;

    public JsonObject ToJson() =>
        new()
        {
            ["dataset"] = Dataset,
            ["data"] = DataDir,
            ["hidden"] = new JsonArray([.. Hidden.Select(h => (JsonNode)h)]),
            ["activation"] = Activation,
            ["init"] = Init,
            ["batchnorm"] = BatchNorm,
            ["dropout"] = Dropout,
            ["weight_decay"] = WeightDecay,
            ["optimizer"] = Optimizer,
            ["lr"] = LearningRate,
            ["batch"] = Batch,
            ["epochs"] = Epochs,
            ["iterations"] = Iterations,
            ["sampling"] = Sampling,
            ["seed"] = Seed,
            ["limit_train"] = LimitTrain,
        };

    public static TrainConfig FromJson(JsonObject o) =>
        new(
            o["dataset"]!.GetValue<string>(),
            o["data"]?.GetValue<string>(),
            [.. o["hidden"]!.AsArray().Select(h => h!.GetValue<int>())],
            o["activation"]!.GetValue<string>(),
            o["init"]!.GetValue<string>(),
            o["batchnorm"]!.GetValue<bool>(),
            o["dropout"]!.GetValue<double>(),
            o["weight_decay"]!.GetValue<double>(),
            o["optimizer"]!.GetValue<string>(),
            o["lr"]!.GetValue<double>(),
            o["batch"]!.GetValue<int>(),
            o["epochs"]?.GetValue<int>(),
            o["iterations"]?.GetValue<long>(),
            o["sampling"]!.GetValue<string>(),
            o["seed"]!.GetValue<ulong>(),
            o["limit_train"]?.GetValue<int>()
        );

    /// <summary>Parsers for option values: each failure names the option, what was expected and what was given.</summary>
    public static class Parse
    {
        public static double PositiveNumber(string option, string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && double.IsFinite(v)
            && v > 0
                ? v
                : throw new UsageException($"{option}: expected a positive number, got '{value}'");

        public static double NonNegative(string option, string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && double.IsFinite(v)
            && v >= 0
                ? v
                : throw new UsageException($"{option}: expected a number ≥ 0, got '{value}'");

        public static double Ratio(string option, string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is >= 0 and < 1
                ? v
                : throw new UsageException($"{option}: expected a ratio in [0, 1), got '{value}'");

        public static int PositiveInt(string option, string value) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new UsageException($"{option}: expected a positive integer, got '{value}'");

        public static long PositiveLong(string option, string value) =>
            long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new UsageException($"{option}: expected a positive integer, got '{value}'");

        public static ulong Seed(string value) =>
            ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v
                : throw new UsageException($"--seed: expected a non-negative integer, got '{value}'");

        public static int[] Hidden(string value)
        {
            var parts = value.Split(',', StringSplitOptions.TrimEntries);
            return
                parts.Length == 0
                || parts.Any(p =>
                    !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var h) || h <= 0
                )
                ? throw new UsageException(
                    $"--hidden: expected a comma-separated list of positive sizes such as 100,100, got '{value}'"
                )
                : [.. parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
        }

        public static string OneOf(string option, string value, params string[] allowed) =>
            allowed.Contains(value, StringComparer.Ordinal)
                ? value
                : throw new UsageException($"{option}: expected one of {string.Join(", ", allowed)}, got '{value}'");

        public static string Init(string value)
        {
            try
            {
                _ = WeightInit.Parse(value);
                return value;
            }
            catch (ArgumentException)
            {
                throw new UsageException($"--init: expected he, xavier or a positive std such as 0.01, got '{value}'");
            }
        }
    }
}
