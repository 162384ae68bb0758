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
        new("--dataset")
        {
            Description =
                "digits | fashion-mnist | mnist | regression (default digits); each has its own defaults below",
        };
    public CliOption Data { get; } =
        new("--data") { Description = "directory with the data files (default: the repository's data/)" };
    public CliOption Hidden { get; } =
        new("--hidden") { Description = "hidden layer sizes, e.g. 100,100 (default 32; regression 10)" };
    public CliOption Activation { get; } =
        new("--activation") { Description = "relu | sigmoid | tanh (default relu; regression sigmoid)" };
    public CliOption Init { get; } =
        new("--init")
        {
            Description = "he | xavier | <std> (default: he for relu, xavier otherwise; glorot for regression)",
        };
    public CliOption BatchNorm { get; } =
        new("--batchnorm")
        {
            Description = "true | false: BatchNorm after each hidden layer (default true for digits and regression)",
            Arity = ArgumentArity.ZeroOrOne,
        };
    public CliOption Dropout { get; } = new("--dropout") { Description = "dropout ratio in [0, 1) (default 0)" };
    public CliOption WeightDecay { get; } = new("--weight-decay") { Description = "L2 weight decay λ (default 0)" };
    public CliOption Optimizer { get; } =
        new("--optimizer")
        {
            Description = "sgd | momentum | nesterov | adagrad | rmsprop | adam | adamw (default sgd; regression adam)",
        };
    public CliOption Lr { get; } = new("--lr") { Description = "learning rate (default 0.01; regression 0.001)" };
    public CliOption Batch { get; } = new("--batch") { Description = "batch size (default 10; regression 20)" };
    public CliOption Epochs { get; } =
        new("--epochs") { Description = "epochs (default 100; regression: 3000 iterations)" };
    public CliOption Iterations { get; } = new("--iterations") { Description = "total steps, instead of --epochs" };
    public CliOption Sampling { get; } =
        new("--sampling")
        {
            Description =
                "shuffle (each epoch a permutation) | replacement (the book's random choice) (default shuffle; regression replacement)",
        };
    public CliOption Seed { get; } = new("--seed") { Description = "random seed (default 1)" };
    public CliOption LimitTrain { get; } =
        new("--limit-train") { Description = "use only the first N training samples" };
    public CliOption Warmup { get; } =
        new("--warmup")
        {
            Description = "STEPS: linear warm-up, the update × min(1, t/STEPS) at step t (default none)",
        };
    public CliOption LrSchedule { get; } =
        new("--lr-schedule")
        {
            Description =
                "constant | plateau: × --plateau-factor after --plateau-patience epochs without a lower validation loss (default constant)",
        };
    public CliOption PlateauFactor { get; } =
        new("--plateau-factor") { Description = "the plateau's reduction, in (0, 1) (default 0.1)" };
    public CliOption PlateauPatience { get; } =
        new("--plateau-patience") { Description = "epochs without improvement before a reduction (default 10)" };
    public CliOption EarlyStop { get; } =
        new("--early-stop")
        {
            Description = "PATIENCE: stop after PATIENCE epochs without a lower validation loss (default none)",
        };
    public CliOption Validation { get; } =
        new("--validation")
        {
            Description =
                "fraction of the training set held out for the validation loss, split by the seed (default 0; plateau and early stop need it)",
        };
    public CliOption Accumulate { get; } =
        new("--accumulate")
        {
            Description =
                "K: sum the gradients of K micro-batches of --batch rows before one update, the mean of --batch × K rows (default 1)",
        };
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
            Warmup,
            LrSchedule,
            PlateauFactor,
            PlateauPatience,
            EarlyStop,
            Validation,
            Accumulate,
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

    /// <summary>The configuration the options describe, on top of the defaults of the chosen data set
    /// (<see cref="TrainConfig.DefaultFor"/>).</summary>
    public TrainConfig ToConfig(ParseResult r)
    {
        string? V(CliOption o) => r.GetResult(o) is null ? null : r.GetValue(o) ?? "";
        var model = V(Model) is string m ? TrainConfig.Parse.OneOf("--model", m, TrainConfig.ModelNames) : "mlp";
        var convnet = model == "simple-convnet";
        var dataset =
            V(Dataset) is string ds ? TrainConfig.Parse.OneOf("--dataset", ds, DataSources.Names)
            : convnet ? TrainConfig.SimpleConvNet.Dataset
            : TrainConfig.Default.Dataset;
        var d = convnet ? TrainConfig.SimpleConvNet with { Dataset = dataset } : TrainConfig.DefaultFor(dataset);
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
                : convnet || dataset == "regression" ? d.Init
                : activation == "relu" ? "he"
                : "xavier",
            V(BatchNorm) switch
            {
                null => d.BatchNorm,
                "" or "true" => true,
                "false" => false,
                var b => throw new UsageException($"--batchnorm: expected true or false, got '{b}'"),
            },
            V(Dropout) is string dr ? TrainConfig.Parse.Ratio("--dropout", dr) : d.Dropout,
            V(WeightDecay) is string wd ? TrainConfig.Parse.NonNegative("--weight-decay", wd) : d.WeightDecay,
            V(Optimizer) is string o
                ? TrainConfig.Parse.OneOf("--optimizer", o, [.. TrainConfig.OptimizerNames])
                : d.Optimizer,
            V(Lr) is string lr ? TrainConfig.Parse.PositiveNumber("--lr", lr) : d.LearningRate,
            V(Batch) is string bt ? TrainConfig.Parse.PositiveInt("--batch", bt) : d.Batch,
            (epochs, iterations) switch
            {
                (int n, _) => n,
                (_, long) => null,
                _ => d.Epochs,
            },
            (epochs, iterations) switch
            {
                (_, long n) => n,
                (int, _) => null,
                _ => d.Iterations,
            },
            V(Sampling) is string s ? TrainConfig.Parse.OneOf("--sampling", s, "shuffle", "replacement") : d.Sampling,
            V(Seed) is string sd ? TrainConfig.Parse.Seed(sd) : d.Seed,
            V(LimitTrain) is string lt ? TrainConfig.Parse.PositiveInt("--limit-train", lt) : null,
            V(Warmup) is string w ? TrainConfig.Parse.PositiveLong("--warmup", w) : null,
            V(LrSchedule) is string ls
                ? TrainConfig.Parse.OneOf("--lr-schedule", ls, "constant", "plateau")
                : "constant",
            V(PlateauFactor) is string pf ? TrainConfig.Parse.OpenRatio("--plateau-factor", pf) : d.PlateauFactor,
            V(PlateauPatience) is string pp
                ? TrainConfig.Parse.PositiveInt("--plateau-patience", pp)
                : d.PlateauPatience,
            V(EarlyStop) is string es ? TrainConfig.Parse.PositiveInt("--early-stop", es) : null,
            V(Validation) is string va ? TrainConfig.Parse.Ratio("--validation", va) : 0,
            V(Accumulate) is string ac ? TrainConfig.Parse.PositiveInt("--accumulate", ac) : 1,
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
