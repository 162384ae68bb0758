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
    int? LimitTrain = null,
    long? Warmup = null,
    string LrSchedule = "constant",
    double PlateauFactor = 0.1,
    int PlateauPatience = 10,
    int? EarlyStop = null,
    double Validation = 0,
    int Accumulate = 1,
    string Model = "mlp"
)
{
    /// <summary>The networks <c>--model</c> names: the multilayer perceptrons of the hidden-layer options, or the
    /// book's chapter-7 convolutional network.</summary>
    public static readonly string[] ModelNames = ["mlp", "simple-convnet"];

    /// <summary>The image shape of a data set's samples for a convolutional model: 1×8×8 digits, 1×28×28 MNIST and
    /// Fashion-MNIST, otherwise a square single-channel image when the feature count is a square.</summary>
    public static Functional.Layers.SampleShape ImageShape(string dataset, int features)
    {
        var side = (int)Math.Round(Math.Sqrt(features));
        if (dataset == "regression" || side * side != features || side < 5)
            throw new UsageException(
                $"--model simple-convnet: needs square images of at least 5×5, and the {dataset} samples are {features} features"
            );
        return Functional.Layers.SampleShape.Image(1, side, side);
    }

    /// <summary>The seed notebook: digits, 64 → 32 → BatchNorm → ReLU → 10, SGD 0.01, batch 10, 100 epochs, seed 1.</summary>
    public static TrainConfig Default { get; } =
        new("digits", null, [32], "relu", "he", true, 0, 0, "sgd", 0.01, 10, 100, null, "shuffle", 1);

    /// <summary>The Flux example: 6 → Dense 10 → sigmoid → BatchNorm → Dense 1, glorot, Adam 0.001, batch 20 drawn
    /// with replacement, 3000 steps (what `experiment regression` and the bench's regression workload train).</summary>
    public static TrainConfig Regression { get; } =
        new("regression", null, [10], "sigmoid", "glorot", true, 0, 0, "adam", 0.001, 20, null, 3000, "replacement", 1);

    /// <summary>The defaults of <paramref name="dataset"/>: the digits notebook, the Flux regression, or for the
    /// image sets the notebook's network without BatchNorm.</summary>
    public static TrainConfig DefaultFor(string dataset) =>
        dataset switch
        {
            "digits" => Default,
            "regression" => Regression,
            _ => Default with { Dataset = dataset, BatchNorm = false },
        };

    /// <summary>The book's chapter-7 run: fashion-mnist, SimpleConvNet with 100 hidden units and weights
    /// 0.01·randn, Adam 0.001, batch 100, 20 epochs, seed 1.</summary>
    public static TrainConfig SimpleConvNet { get; } =
        new("fashion-mnist", null, [100], "relu", "0.01", false, 0, 0, "adam", 0.001, 100, 20, null, "shuffle", 1)
        {
            Model = "simple-convnet",
        };

    public BatchSampling SamplingMode => Sampling == "replacement" ? BatchSampling.Replacement : BatchSampling.Shuffle;

    public Network BuildNetwork(int inputs, int outputs)
    {
        var act = Nets.ParseActivation(Activation);
        var init = WeightInit.Parse(Init);
        if (Model == "simple-convnet")
            return Nets.SimpleConvNet(ImageShape(Dataset, inputs), hidden: Hidden[0], output: outputs, init: init);
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
    public IRule BuildOptimizer() => WithControls(BaseOptimizer());

    IRule BaseOptimizer() =>
        Optimizer == "adam" && Dataset == "regression"
            ? new Adam(LearningRate, 0.9, 0.999, 1e-8, true)
            : Optimizers.Parse(Optimizer, LearningRate);

    /// <summary>The rule with the training controls' stages chained after it: the warm-up, then the plateau's
    /// multiplier (1 here; <see cref="Plateau.At"/> sets it each epoch). Without controls, the rule itself.</summary>
    IRule WithControls(IRule rule)
    {
        var r = Warmup is long w ? new Chain(rule, new ScaleBySchedule(new LearningRateSchedule.Warmup(w))) : rule;
        return LrSchedule == "plateau" ? Plateau.With(r) : r;
    }

    /// <summary>True when the run needs a validation loss after each epoch.</summary>
    public bool Validates => Validation > 0;

    /// <summary>Rows of one update: the batch, times the micro-batches accumulated.</summary>
    public int EffectiveBatch => Batch * Accumulate;

    public long TotalSteps(int stepsPerEpoch) => Iterations ?? (long)(Epochs ?? 100) * stepsPerEpoch;

    public JsonObject ToJson()
    {
        var o = new JsonObject
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
        }.WithControls(this);
        if (Model != "mlp") // the multilayer perceptrons' configurations stay as they were written before models
            o["model"] = Model;
        return o;
    }

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
            o["limit_train"]?.GetValue<int>(),
            o["warmup"]?.GetValue<long>(),
            o["lr_schedule"]?.GetValue<string>() ?? "constant",
            o["plateau_factor"]?.GetValue<double>() ?? 0.1,
            o["plateau_patience"]?.GetValue<int>() ?? 10,
            o["early_stop"]?.GetValue<int>(),
            o["validation"]?.GetValue<double>() ?? 0,
            o["accumulate"]?.GetValue<int>() ?? 1,
            o["model"]?.GetValue<string>() ?? "mlp"
        );

    public static readonly string[] OptimizerNames =
    [
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "adamw",
    ];

    /// <summary>
    /// The checks the options' parsers make, on a whole configuration: one validation for the command line and for
    /// a configuration read back from a checkpoint (a hand edit must fail as the same option typed would).
    /// <paramref name="source"/> prefixes each message (e.g. "--resume FILE: ").
    /// </summary>
    public static void Validate(TrainConfig c, string source = "")
    {
        static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        void Check(bool ok, string message)
        {
            if (!ok)
                throw new UsageException(source + message);
        }
        Check(
            DataSources.Names.Contains(c.Dataset),
            $"--dataset: expected one of {string.Join(", ", DataSources.Names)}, got '{c.Dataset}'"
        );
        Check(c.DataDir is null || c.DataDir.Length > 0, "--data: expected a directory, got ''");
        Check(
            ModelNames.Contains(c.Model),
            $"--model: expected one of {string.Join(", ", ModelNames)}, got '{c.Model}'"
        );
        Check(
            c.Model != "simple-convnet" || c.Dataset != "regression",
            "--model simple-convnet: classifies images; use --dataset digits, mnist or fashion-mnist"
        );
        Check(
            c.Model != "simple-convnet" || (!c.BatchNorm && c.Dropout == 0),
            "--model simple-convnet: the book's network has no BatchNorm and no Dropout; drop --batchnorm and --dropout"
        );
        Check(
            c.Hidden is { Length: > 0 } && c.Hidden.All(h => h > 0),
            $"--hidden: expected a comma-separated list of positive sizes such as 100,100, got '{string.Join(',', c.Hidden ?? [])}'"
        );
        Check(
            c.Activation is "relu" or "sigmoid" or "tanh",
            $"--activation: expected one of relu, sigmoid, tanh, got '{c.Activation}'"
        );
        try
        {
            _ = Parse.Init(c.Init ?? "");
        }
        catch (UsageException e)
        {
            throw new UsageException(source + e.Message);
        }
        Check(c.Dropout is >= 0 and < 1, $"--dropout: expected a ratio in [0, 1), got '{Num(c.Dropout)}'");
        Check(
            double.IsFinite(c.WeightDecay) && c.WeightDecay >= 0,
            $"--weight-decay: expected a number ≥ 0, got '{Num(c.WeightDecay)}'"
        );
        Check(
            OptimizerNames.Contains(c.Optimizer),
            $"--optimizer: expected one of {string.Join(", ", OptimizerNames)}, got '{c.Optimizer}'"
        );
        Check(
            double.IsFinite(c.LearningRate) && c.LearningRate > 0,
            $"--lr: expected a positive number, got '{Num(c.LearningRate)}'"
        );
        Check(c.Batch > 0, $"--batch: expected a positive integer, got '{c.Batch}'");
        Check(c.Epochs is null or > 0, $"--epochs: expected a positive integer, got '{c.Epochs}'");
        Check(c.Iterations is null or > 0, $"--iterations: expected a positive integer, got '{c.Iterations}'");
        Check(c.Epochs is null || c.Iterations is null, "--epochs and --iterations: give one of them, not both");
        Check(
            c.Sampling is "shuffle" or "replacement",
            $"--sampling: expected one of shuffle, replacement, got '{c.Sampling}'"
        );
        Check(c.LimitTrain is null or > 0, $"--limit-train: expected a positive integer, got '{c.LimitTrain}'");
        Check(
            !(c.BatchNorm && c.Batch == 1),
            "--batch 1: BatchNorm in training needs at least 2 samples per batch; use --batch 2 or more, or --batchnorm false"
        );
        Check(
            !(c.BatchNorm && c.LimitTrain == 1),
            "--limit-train 1: BatchNorm in training needs at least 2 samples; use --limit-train 2 or more, or --batchnorm false"
        );
        ValidateControls(c, Check);
    }

    /// <summary>The training controls' options (warm-up, plateau, early stopping, validation, accumulation).</summary>
    static void ValidateControls(TrainConfig c, Action<bool, string> check)
    {
        static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        check(c.Warmup is null or > 0, $"--warmup: expected a positive integer, got '{c.Warmup}'");
        check(
            c.LrSchedule is "constant" or "plateau",
            $"--lr-schedule: expected one of constant, plateau, got '{c.LrSchedule}'"
        );
        check(
            c.PlateauFactor is > 0 and < 1,
            $"--plateau-factor: expected a number in (0, 1), got '{Num(c.PlateauFactor)}'"
        );
        check(c.PlateauPatience > 0, $"--plateau-patience: expected a positive integer, got '{c.PlateauPatience}'");
        check(c.EarlyStop is null or > 0, $"--early-stop: expected a positive integer, got '{c.EarlyStop}'");
        check(c.Validation is >= 0 and < 1, $"--validation: expected a ratio in [0, 1), got '{Num(c.Validation)}'");
        check(
            c.Validates || (c.LrSchedule != "plateau" && c.EarlyStop is null),
            $"--{(c.EarlyStop is null ? "lr-schedule plateau" : "early-stop")}: needs a validation loss; hold out part of the training set with --validation 0.1"
        );
        check(c.Accumulate > 0, $"--accumulate: expected a positive integer, got '{c.Accumulate}'");
        check(
            (long)c.Batch * c.Accumulate <= int.MaxValue,
            $"--accumulate {c.Accumulate}: --batch {c.Batch} × {c.Accumulate} rows per update is too many"
        );
    }

    /// <summary><see cref="FromJson"/> then <see cref="Validate"/>: a malformed or invalid stored configuration is a
    /// <see cref="UsageException"/> prefixed with <paramref name="source"/>.</summary>
    public static TrainConfig FromJsonValidated(JsonObject o, string source)
    {
        TrainConfig c;
        try
        {
            c = FromJson(o);
        }
        catch (Exception e)
            when (e
                    is InvalidOperationException
                        or FormatException
                        or OverflowException
                        or ArgumentException
                        or NullReferenceException
                        or InvalidCastException
                        or System.Text.Json.JsonException
            )
        {
            throw new UsageException(
                $"{source}the stored configuration is malformed ({e.Message.ReplaceLineEndings(" ")})"
            );
        }
        Validate(c, source);
        return c;
    }

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

        public static double OpenRatio(string option, string value) =>
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is > 0 and < 1
                ? v
                : throw new UsageException($"{option}: expected a number in (0, 1), got '{value}'");

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

/// <summary>The training controls in a configuration's JSON: written only when set, so a run without them writes
/// the same configuration as before they existed.</summary>
static class ControlsJson
{
    public static JsonObject WithControls(this JsonObject o, TrainConfig c)
    {
        if (c.Warmup is long w)
            o["warmup"] = w;
        if (c.LrSchedule != "constant")
        {
            o["lr_schedule"] = c.LrSchedule;
            o["plateau_factor"] = c.PlateauFactor;
            o["plateau_patience"] = c.PlateauPatience;
        }
        if (c.EarlyStop is int e)
            o["early_stop"] = e;
        if (c.Validates)
            o["validation"] = c.Validation;
        if (c.Accumulate != 1)
            o["accumulate"] = c.Accumulate;
        return o;
    }
}
