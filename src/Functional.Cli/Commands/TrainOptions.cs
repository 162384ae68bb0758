using System.CommandLine;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>The `train` options. Values are read as text and validated by <see cref="TrainConfig.Parse"/>,
/// so each bad value gets a message naming the option, the expectation and the value.</summary>
public sealed class TrainOptions
{
    public CliOption Model { get; } =
        new("--model")
        {
            Description =
                "mlp | simple-convnet (default mlp; simple-convnet is the book's chapter 7: conv 30×5×5, pool, 100 hidden, weights 0.01·randn, defaults adam 0.001, batch 100, 20 epochs)",
        };
    public CliOption Dataset { get; } =
        new("--dataset") { Description = "digits | fashion-mnist | mnist | regression (default digits)" };
    public CliOption Data { get; } =
        new("--data") { Description = "directory with the data files (default: the repository's data/)" };
    public CliOption Hidden { get; } =
        new("--hidden") { Description = "hidden layer sizes, e.g. 100,100 (default 32)" };
    public CliOption Activation { get; } = new("--activation") { Description = "relu | sigmoid | tanh (default relu)" };
    public CliOption Init { get; } =
        new("--init")
        {
            Description = "he | xavier | <std> (default: he for relu, xavier otherwise; glorot for regression)",
        };
    public CliOption BatchNorm { get; } =
        new("--batchnorm")
        {
            Description = "true | false: BatchNorm after each hidden Affine (default true for digits)",
            Arity = ArgumentArity.ZeroOrOne,
        };
    public CliOption Dropout { get; } = new("--dropout") { Description = "dropout ratio in [0, 1) (default 0)" };
    public CliOption WeightDecay { get; } = new("--weight-decay") { Description = "L2 weight decay λ (default 0)" };
    public CliOption Optimizer { get; } =
        new("--optimizer")
        {
            Description = "sgd | momentum | nesterov | adagrad | rmsprop | adam | adamw (default sgd)",
        };
    public CliOption Lr { get; } = new("--lr") { Description = "learning rate (default 0.01)" };
    public CliOption Batch { get; } = new("--batch") { Description = "batch size (default 10)" };
    public CliOption Epochs { get; } = new("--epochs") { Description = "epochs (default 100)" };
    public CliOption Iterations { get; } = new("--iterations") { Description = "total steps, instead of --epochs" };
    public CliOption Sampling { get; } =
        new("--sampling")
        {
            Description = "shuffle (each epoch a permutation) | replacement (the book's random choice)",
        };
    public CliOption Seed { get; } = new("--seed") { Description = "random seed (default 1)" };
    public CliOption LimitTrain { get; } =
        new("--limit-train") { Description = "use only the first N training samples" };
    public CliOption Out { get; } = new("--out") { Description = "output directory (default runs/train-<timestamp>)" };
    public CliOption Resume { get; } =
        new("--resume") { Description = "continue from a checkpoint (its configuration is used)" };

    public System.CommandLine.Option<bool> Overwrite { get; } =
        new("--overwrite") { Description = "write into an --out directory that holds another run's results" };

    public IEnumerable<CliOption> All =>
        [
            Model,
            Dataset,
            Data,
            Hidden,
            Activation,
            Init,
            BatchNorm,
            Dropout,
            WeightDecay,
            Optimizer,
            Lr,
            Batch,
            Epochs,
            Iterations,
            Sampling,
            Seed,
            LimitTrain,
            Out,
            Resume,
        ];

    /// <summary>What may change on --resume: a longer run, or a smaller learning rate after a divergence.</summary>
    public ResumeOverrides ResumeOverrides(ParseResult r)
    {
        if (r.GetResult(Resume) is not null)
        {
            // Anything else would be silently replaced by the checkpoint's configuration: refuse it instead.
            var ignored = All.Except([Resume, Out, Epochs, Iterations, Lr, Data])
                .FirstOrDefault(o => r.GetResult(o) is not null);
            if (ignored is not null)
                throw new UsageException(
                    $"{ignored.Name}: cannot be changed on --resume (the checkpoint's configuration is used); only --epochs, --iterations, --lr, --data and --out can"
                );
        }
        return new(
            r.GetResult(Epochs) is null ? null : TrainConfig.Parse.PositiveInt("--epochs", r.GetValue(Epochs) ?? ""),
            r.GetResult(Iterations) is null
                ? null
                : TrainConfig.Parse.PositiveLong("--iterations", r.GetValue(Iterations) ?? ""),
            r.GetResult(Lr) is null ? null : TrainConfig.Parse.PositiveNumber("--lr", r.GetValue(Lr) ?? ""),
            r.GetResult(Data) is null ? null : DataDir(r.GetValue(Data) ?? "")
        );
    }

    /// <summary>--data as an absolute path, so a checkpoint made with a relative one resumes from any folder.</summary>
    static string DataDir(string dir)
    {
        if (dir.Length == 0)
            throw new UsageException("--data: expected a directory, got ''");
        try
        {
            return Path.GetFullPath(dir);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"--data {OutputLocation.Show(dir)}: not a usable path");
        }
    }

    /// <summary>The configuration the options describe, on top of the defaults (the seed notebook).</summary>
    public TrainConfig ToConfig(ParseResult r)
    {
        string? V(CliOption o) => r.GetResult(o) is null ? null : r.GetValue(o) ?? "";
        var model = V(Model) is string m ? TrainConfig.Parse.OneOf("--model", m, TrainConfig.ModelNames) : "mlp";
        var d = model == "simple-convnet" ? TrainConfig.SimpleConvNet : TrainConfig.Default;
        var dataset = V(Dataset) is string ds ? TrainConfig.Parse.OneOf("--dataset", ds, DataSources.Names) : d.Dataset;
        var digits = dataset == "digits";
        var regression = dataset == "regression";
        var activation = V(Activation) is string a
            ? TrainConfig.Parse.OneOf("--activation", a, "relu", "sigmoid", "tanh")
            : d.Activation;
        var epochs = V(Epochs) is string e ? TrainConfig.Parse.PositiveInt("--epochs", e) : (int?)null;
        var iterations = V(Iterations) is string it ? TrainConfig.Parse.PositiveLong("--iterations", it) : (long?)null;
        if (epochs is not null && iterations is not null)
            throw new UsageException("--epochs and --iterations: give one of them, not both");
        return new TrainConfig(
            dataset,
            V(Data) is string dir ? DataDir(dir) : null,
            V(Hidden) is string h ? TrainConfig.Parse.Hidden(h) : d.Hidden,
            activation,
            V(Init) is string i ? TrainConfig.Parse.Init(i)
                : model == "simple-convnet" ? d.Init
                : regression ? "glorot"
                : activation == "relu" ? "he"
                : "xavier",
            V(BatchNorm) switch
            {
                null => digits && model == "mlp",
                "" or "true" => true,
                "false" => false,
                var b => throw new UsageException($"--batchnorm: expected true or false, got '{b}'"),
            },
            V(Dropout) is string dr ? TrainConfig.Parse.Ratio("--dropout", dr) : 0,
            V(WeightDecay) is string wd ? TrainConfig.Parse.NonNegative("--weight-decay", wd) : 0,
            V(Optimizer) is string o
                ? TrainConfig.Parse.OneOf(
                    "--optimizer",
                    o,
                    "sgd",
                    "momentum",
                    "nesterov",
                    "adagrad",
                    "rmsprop",
                    "adam",
                    "adamw"
                )
                : d.Optimizer,
            V(Lr) is string lr ? TrainConfig.Parse.PositiveNumber("--lr", lr) : d.LearningRate,
            V(Batch) is string bt ? TrainConfig.Parse.PositiveInt("--batch", bt) : d.Batch,
            iterations is null ? epochs ?? d.Epochs : null,
            iterations,
            V(Sampling) is string s ? TrainConfig.Parse.OneOf("--sampling", s, "shuffle", "replacement") : d.Sampling,
            V(Seed) is string sd ? TrainConfig.Parse.Seed(sd) : d.Seed,
            V(LimitTrain) is string lt ? TrainConfig.Parse.PositiveInt("--limit-train", lt) : null,
            model
        );
    }
}

/// <summary>Options honoured on --resume; every other option comes from the checkpoint.</summary>
public sealed record ResumeOverrides(
    int? Epochs = null,
    long? Iterations = null,
    double? LearningRate = null,
    string? DataDir = null
)
{
    public static ResumeOverrides None { get; } = new();

    public TrainConfig Apply(TrainConfig c) =>
        (Epochs, Iterations) switch
        {
            (int e, _) => c with { Epochs = e, Iterations = null },
            (_, long i) => c with { Iterations = i, Epochs = null },
            _ => c,
        } with
        {
            LearningRate = LearningRate ?? c.LearningRate,
            DataDir = DataDir ?? c.DataDir,
        };
}
