using System.Text.Json.Nodes;
using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Models;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>Console.SetError/SetOut are process-wide: these tests must not run beside others that print.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleGroup;

/// <summary>
/// Bad input at the command line, in-process through <see cref="Cli.Run"/>: exit code 2 and exactly one line on
/// stderr naming the option (or file) and what was wrong — never a stack trace.
/// </summary>
[Collection("Console")]
public sealed class CliErrorTests : IDisposable
{
    static readonly string Root = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-cli-" + Guid.NewGuid().ToString("N")))
        .FullName;

    public void Dispose() { }

    static string P(string name) => Path.Combine(Root, name);

    static (int Code, string Err, string Out) Run(params string[] args)
    {
        var (err, @out) = (new StringWriter(), new StringWriter());
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(@out);
        try
        {
            return (Functional.Cli.Cli.Run(args), err.ToString(), @out.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }
    }

    /// <summary>A real checkpoint from a 1-epoch run on 100 digits (made once) and damaged copies of it.</summary>
    static readonly Lazy<string> Good = new(() =>
    {
        var dir = P("good");
        Assert.Equal(
            0,
            TrainCommand.Run(TrainConfig.Default with { Epochs = 1, LimitTrain = 100 }, dir, null, TextWriter.Null)
        );
        var ckpt = Path.Combine(dir, "model.ckpt");
        var bytes = File.ReadAllBytes(ckpt);
        File.WriteAllBytes(P("truncated.ckpt"), bytes[..(bytes.Length / 2)]);
        var flipped = bytes.ToArray();
        flipped[bytes.Length / 3] ^= 0x04;
        File.WriteAllBytes(P("flipped.ckpt"), flipped);
        File.WriteAllText(P("text.ckpt"), "not a checkpoint\n");
        var c = Checkpoint.Load(ckpt).Match(x => x, e => throw new InvalidOperationException(e.Message));
        Checkpoint.Save(P("model-only.ckpt"), c with { Optimizer = null }).ThrowIfFail();
        Checkpoint.Save(P("no-config.ckpt"), c with { Meta = new JsonObject() }).ThrowIfFail();
        var badConfig = (JsonObject)c.Meta.DeepClone();
        badConfig["config"]!["hidden"] = "many";
        Checkpoint.Save(P("bad-config.ckpt"), c with { Meta = badConfig }).ThrowIfFail();
        var badActivation = (JsonObject)c.Meta.DeepClone();
        badActivation["config"]!["activation"] = "gelu";
        Checkpoint.Save(P("bad-activation.ckpt"), c with { Meta = badActivation }).ThrowIfFail();
        var badHistory = (JsonObject)c.Meta.DeepClone();
        badHistory["history"] = new JsonArray(1, 2);
        Checkpoint.Save(P("bad-history.ckpt"), c with { Meta = badHistory }).ThrowIfFail();
        Directory.CreateDirectory(P("empty"));
        return ckpt;
    });

    public static TheoryData<string, string[]> Cases =>
        new()
        {
            // option parsing
            { "unknown option|--bogus", ["train", "--bogus"] },
            { "unknown command|trian", ["trian"] },
            { "unknown optimizer|--optimizer|sgdx|adam", ["train", "--optimizer", "sgdx"] },
            { "unknown activation|--activation|gelu", ["train", "--activation", "gelu"] },
            { "unknown dataset|--dataset|cifar", ["train", "--dataset", "cifar"] },
            { "unknown sampling|--sampling|random", ["train", "--sampling", "random"] },
            { "batchnorm value|--batchnorm|maybe", ["train", "--batchnorm", "maybe"] },
            { "batch 0|--batch|'0'|positive integer", ["train", "--batch", "0"] },
            { "batch negative|--batch|'-3'", ["train", "--batch", "-3"] },
            { "batch huge|--batch|99999999999", ["train", "--batch", "99999999999"] },
            { "epochs 0|--epochs|'0'", ["train", "--epochs", "0"] },
            { "epochs fractional|--epochs|'1.5'", ["train", "--epochs", "1.5"] },
            { "iterations text|--iterations|'ten'", ["train", "--iterations", "ten"] },
            { "epochs and iterations|--epochs|--iterations", ["train", "--epochs", "2", "--iterations", "5"] },
            { "lr -1|--lr|'-1'|positive number", ["train", "--lr", "-1"] },
            { "lr abc|--lr|'abc'", ["train", "--lr", "abc"] },
            { "lr 0|--lr|'0'", ["train", "--lr", "0"] },
            { "lr NaN|--lr|'NaN'", ["train", "--lr", "NaN"] },
            { "lr Infinity|--lr|'Infinity'", ["train", "--lr", "Infinity"] },
            { "lr empty|--lr|''", ["train", "--lr", ""] },
            { "dropout 1|--dropout|'1'|[0, 1)", ["train", "--dropout", "1"] },
            { "weight decay negative|--weight-decay|'-0.1'", ["train", "--weight-decay", "-0.1"] },
            { "hidden empty part|--hidden|'10,,5'", ["train", "--hidden", "10,,5"] },
            { "hidden zero|--hidden|'0'", ["train", "--hidden", "0"] },
            { "seed negative|--seed|'-1'", ["train", "--seed", "-1"] },
            { "init unknown|--init|'glorious'", ["train", "--init", "glorious"] },
            { "limit-train 0|--limit-train|'0'", ["train", "--limit-train", "0"] },
            // data files
            { "missing data dir|/no/such/dir|digits.csv.gz", ["train", "--data", "/no/such/dir"] },
            {
                "fashion-mnist without files|missing|train-images",
                ["train", "--dataset", "fashion-mnist", "--data", "@empty"]
            },
            { "mnist without --data|--data|MNIST", ["train", "--dataset", "mnist"] },
            // checkpoints for --resume
            { "resume missing|absent.ckpt|cannot read", ["train", "--resume", "@absent.ckpt"] },
            { "resume truncated|truncated.ckpt|byte ", ["train", "--resume", "@truncated.ckpt"] },
            { "resume bit flip|flipped.ckpt|SHA-256", ["train", "--resume", "@flipped.ckpt"] },
            { "resume text file|text.ckpt|byte 0", ["train", "--resume", "@text.ckpt"] },
            { "resume directory|empty|cannot read", ["train", "--resume", "@empty"] },
            { "resume model-only|model-only.ckpt|model-only", ["train", "--resume", "@model-only.ckpt"] },
            { "resume without config|no-config.ckpt|configuration", ["train", "--resume", "@no-config.ckpt"] },
            { "resume malformed config|bad-config.ckpt|malformed", ["train", "--resume", "@bad-config.ckpt"] },
            { "resume invalid activation|bad-activation.ckpt|gelu", ["train", "--resume", "@bad-activation.ckpt"] },
            { "resume malformed history|bad-history.ckpt|malformed", ["train", "--resume", "@bad-history.ckpt"] },
            {
                "resume with an ignored option|--optimizer|--resume",
                ["train", "--resume", "@good", "--optimizer", "adam"]
            },
            {
                "resume past the requested steps|step 10|past the 5 steps",
                ["train", "--resume", "@good", "--iterations", "5"]
            },
            // evaluate
            { "evaluate without --model|--model", ["evaluate"] },
            { "evaluate missing|absent.ckpt|cannot read", ["evaluate", "--model", "@absent.ckpt"] },
            { "evaluate truncated|truncated.ckpt|byte ", ["evaluate", "--model", "@truncated.ckpt"] },
            { "evaluate bit flip|flipped.ckpt|SHA-256", ["evaluate", "--model", "@flipped.ckpt"] },
            {
                "evaluate wrong dataset|64 features|regression has 6",
                ["evaluate", "--model", "@good", "--dataset", "regression"]
            },
            { "evaluate unknown dataset|--dataset|cifar", ["evaluate", "--model", "@good", "--dataset", "cifar"] },
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_is_exit_code_2_with_one_line_naming_the_problem(string expect, string[] args)
    {
        _ = Good.Value;
        var argv = args.Select(a =>
                a == "@good" ? Good.Value
                : a.StartsWith('@') ? P(a[1..])
                : a
            )
            .Concat(args[0] == "train" ? ["--out", P("out-" + Guid.NewGuid().ToString("N"))] : [])
            .ToArray();
        var (code, err, _) = Run(argv);
        Assert.True(code == 2, $"exit {code}, stderr: {err}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{err}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        foreach (var part in expect.Split('|').Skip(1))
            Assert.Contains(part, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_good_checkpoint_still_evaluates_and_help_is_exit_0()
    {
        var (code, err, @out) = Run("evaluate", "--model", Good.Value);
        Assert.True(code == 0, err);
        Assert.Contains("accuracy", @out, StringComparison.Ordinal);
        Assert.Equal(0, Run("train", "--help").Code);
    }

    /// <summary>Library entry points: programmer errors are exceptions whose message says what was expected and
    /// what was given.</summary>
    public static TheoryData<string, string[]> LibraryCases =>
        new()
        {
            { "Forward", ["expected 4 features", "got 3×5"] },
            { "LossAndGrads", ["expected shape 3×2", "got 3×5"] },
            { "SoftmaxWithLoss labels", ["expected 3 labels", "got 2"] },
            { "Accuracy labels", ["expected 3 labels", "got 4"] },
            { "Optim.Update", ["gradient of '0.W'", "expected shape 4×3", "got 3×4"] },
            { "Batches", ["batch size", "got 0"] },
            { "MultiLayerNetExtend sizes", ["positive", "hidden [5,0]"] },
            { "MultiLayerNetExtend dropout", ["dropout", "got 1"] },
            { "MultiLayerNetExtend decay", ["weight decay", "got -1"] },
            { "Network chain", ["expected 3 input features", "got 5"] },
            { "Dropout without key", ["Dropout", "needs a random key"] },
            { "BatchNorm batch of one", ["more than one sample"] },
            { "Optimizer name", ["'sgdx'", "sgd"] },
            { "Activation name", ["'gelu'", "relu"] },
            { "Init name", ["'glorious'", "he"] },
        };

    [Theory]
    [MemberData(nameof(LibraryCases))]
    public void Library_errors_name_what_was_expected_and_what_was_given(string entry, string[] fragments)
    {
        var net = Nets.MultiLayerNetExtend(4, [3], 2);
        var ps = net.Init(Functional.Core.Key.Of(1));
        var st = net.InitState();
        var x = Support.TestData.Normal(1, 3, 4);
        var t = Support.TestData.OneHot(2, 3, 2);
        Action act = entry switch
        {
            "Forward" => () => net.Forward(ps, st, Support.TestData.Normal(1, 3, 5), Functional.Layers.Ctx.Eval),
            "LossAndGrads" => () =>
                net.LossAndGrads(ps, st, x, Support.TestData.OneHot(2, 3, 5), Functional.Layers.Ctx.Eval),
            "SoftmaxWithLoss labels" => () => new Functional.Layers.SoftmaxWithLoss().Forward(t, [0, 1]),
            "Accuracy labels" => () => net.Accuracy(ps, st, x, [0, 1, 0, 1]),
            "Optim.Update" => () =>
                Functional.Optim.Optimizers.Update(
                    new Functional.Optim.Sgd(),
                    Functional.Optim.Optimizers.Init(new Functional.Optim.Sgd(), ps),
                    ps,
                    new Functional.Core.Grads(ps.Values.SetItem(new(0, "W"), Support.TestData.Normal(3, 3, 4)))
                ),
            "Batches" => () => new Batches(10, 0, BatchSampling.Shuffle).Validate(),
            "MultiLayerNetExtend sizes" => () => Nets.MultiLayerNetExtend(4, [5, 0], 2),
            "MultiLayerNetExtend dropout" => () => Nets.MultiLayerNetExtend(4, [5], 2, dropout: 1),
            "MultiLayerNetExtend decay" => () => Nets.MultiLayerNetExtend(4, [5], 2, weightDecay: -1),
            "Network chain" => () =>
                _ = new Functional.Models.Network(
                    4,
                    LanguageExt.Prelude.Seq<Functional.Layers.Layer>(
                        new Functional.Layers.Affine(4, 5, new Functional.Layers.WeightInit.He()),
                        new Functional.Layers.BatchNorm(3, Functional.Layers.BatchNormConfig.Reference)
                    ),
                    new Functional.Layers.SoftmaxWithLoss()
                ).Outputs,
            "Dropout without key" => () =>
            {
                var d = Nets.MultiLayerNetExtend(4, [3], 2, dropout: 0.5);
                d.Forward(d.Init(Functional.Core.Key.Of(1)), d.InitState(), x, Functional.Layers.Ctx.TrainNoKey);
            },
            "BatchNorm batch of one" => () =>
            {
                var b = Nets.MultiLayerNetExtend(4, [3], 2, batchNorm: true);
                var one = Support.TestData.Normal(1, 1, 4);
                b.Forward(b.Init(Functional.Core.Key.Of(1)), b.InitState(), one, Functional.Layers.Ctx.TrainNoKey);
            },
            "Optimizer name" => () => Functional.Optim.Optimizers.Parse("sgdx", 0.1),
            "Activation name" => () => Nets.ParseActivation("gelu"),
            "Init name" => () => Functional.Layers.WeightInit.Parse("glorious"),
            _ => throw new ArgumentOutOfRangeException(nameof(entry)),
        };
        var e = Assert.ThrowsAny<ArgumentException>(act);
        foreach (var f in fragments)
            Assert.Contains(f, e.Message, StringComparison.Ordinal);
    }
}
