using Functional.Training;
using Xunit;
using static Functional.Tests.Reliability.InProcess;

namespace Functional.Tests.Reliability;

/// <summary>
/// The adversarial command lines as a table: every one is refused before any work with exit 2 and one line on
/// stderr that names the option or file (help exits 0). Run in-process through the CLI's entry point.
/// </summary>
[Collection("Console")]
public sealed class BadCommandLineTests
{
    /// <summary>Files the rows refer to as @name, made once.</summary>
    static readonly Lazy<bool> Files = new(() =>
    {
        _ = Good.Value;
        File.WriteAllText(P("text.txt"), "not a checkpoint, not a CSV\n");
        var bytes = File.ReadAllBytes(Good.Value);
        File.WriteAllBytes(P("truncated.ckpt"), bytes[..(bytes.Length / 2)]);
        var flipped = bytes.ToArray();
        flipped[bytes.Length / 3] ^= 0x10;
        File.WriteAllBytes(P("flipped.ckpt"), flipped);
        File.WriteAllBytes(P("empty.ckpt"), []);
        var c = GoodCheckpoint();
        Checkpoint.Save(P("model-only.ckpt"), c with { Optimizer = null }).ThrowIfFail();
        Checkpoint.Save(P("weights-only.ckpt"), c, withOptimizerState: false).ThrowIfFail();
        Directory.CreateDirectory(P("emptydir"));
        Directory.CreateDirectory(P("ran"));
        File.WriteAllText(P("ran/report.json"), "{}\n");
        File.WriteAllText(P("bench.json"), "{}\n");
        return true;
    });

    static readonly string LongName = new('n', 300);

    static IEnumerable<(string, string[])> Rows()
    {
        // train: each option with values its parser must refuse
        string[] ints = ["0", "-1", "abc", "1.5", "", "99999999999", "1e3", " 5", "+5", "0x10"];
        foreach (var v in ints)
            yield return ($"--batch|'{v}'", ["train", "--batch", v]);
        foreach (var v in ints)
            yield return ($"--epochs|'{v}'", ["train", "--epochs", v]);
        foreach (var v in new[] { "0", "-1", "abc", "1.5", "", "99999999999999999999", "1e3" })
            yield return ($"--iterations|'{v}'", ["train", "--iterations", v]);
        foreach (var v in new[] { "-1", "0", "abc", "NaN", "Infinity", "-Infinity", "", "1e400", "0x1", "1,5" })
            yield return ($"--lr|'{v}'", ["train", "--lr", v]);
        foreach (var v in new[] { "1", "-0.1", "2", "abc", "NaN", "", "Infinity" })
            yield return ($"--dropout|'{v}'", ["train", "--dropout", v]);
        foreach (var v in new[] { "-1", "abc", "NaN", "Infinity", "" })
            yield return ($"--weight-decay|'{v}'", ["train", "--weight-decay", v]);
        foreach (var v in new[] { "", "0", "-5", "10,,5", "a", "10;5", "1.5", ",", "10,0", "99999999999", " " })
            yield return ($"--hidden|'{v}'", ["train", "--hidden", v]);
        foreach (var v in new[] { "gelu", "RELU", "", "relu " })
            yield return ($"--activation|'{v}'", ["train", "--activation", v]);
        foreach (var v in new[] { "glorious", "-1", "0", "NaN", "", "Infinity" })
            yield return ($"--init|'{v}'", ["train", "--init", v]);
        foreach (var v in new[] { "sgdx", "ADAM", "", "adam,sgd" })
            yield return ($"--optimizer|'{v}'", ["train", "--optimizer", v]);
        foreach (var v in new[] { "random", "", "SHUFFLE" })
            yield return ($"--sampling|'{v}'", ["train", "--sampling", v]);
        foreach (var v in new[] { "-1", "abc", "1.5", "", "18446744073709551616" })
            yield return ($"--seed|'{v}'", ["train", "--seed", v]);
        foreach (var v in new[] { "0", "-1", "abc", "" })
            yield return ($"--limit-train|'{v}'", ["train", "--limit-train", v]);
        foreach (var v in new[] { "maybe", "1", "yes", "TRUE" })
            yield return ($"--batchnorm|'{v}'", ["train", "--batchnorm", v]);
        foreach (var v in new[] { "cifar", "", "DIGITS" })
            yield return ($"--dataset|'{v}'", ["train", "--dataset", v]);
        yield return ("--data|''", ["train", "--data", ""]);
        yield return ("/no/such/dir", ["train", "--data", "/no/such/dir"]);
        yield return ("text.txt", ["train", "--data", "@text.txt"]);
        yield return ("--dataset mnist needs --data", ["train", "--dataset", "mnist"]);
        yield return ("train-images", ["train", "--dataset", "fashion-mnist", "--data", "@emptydir"]);
        yield return ("--epochs and --iterations", ["train", "--epochs", "2", "--iterations", "5"]);
        // BatchNorm and a batch of one: refused before training, not a crash at its last step
        yield return ("--batch 1|BatchNorm", ["train", "--batch", "1"]);
        yield return ("--batch 1|BatchNorm", ["train", "--batch", "1", "--sampling", "replacement"]);
        yield return ("--batch 1|BatchNorm", ["train", "--dataset", "regression", "--batchnorm", "--batch", "1"]);
        yield return ("--batch 1|BatchNorm", ["train", "--batchnorm", "true", "--batch", "1", "--epochs", "1"]);
        yield return ("--limit-train 1|BatchNorm", ["train", "--limit-train", "1"]);
        // sizes that cannot be allocated: refused with the amount, before anything is allocated
        foreach (var h in new[] { "100000000", "67108865", "33554433", "2147483647", "100000,100000,100000" })
            yield return ($"--hidden {h}|", ["train", "--hidden", h]);
        yield return ("GB", ["train", "--hidden", "1000000", "--batch", "1000"]);
        // output locations
        yield return ("--out|is an existing file", ["train", "--out", "@text.txt"]);
        yield return ("--out|255", ["train", "--out", "@" + LongName]);
        yield return (
            "--out|4095",
            ["train", "--out", Path.Combine(Path.GetTempPath(), string.Join('/', Enumerable.Repeat("d", 2100)))]
        );
        yield return ("--out|cannot create", ["train", "--out", "@text.txt/sub"]);
        yield return ("--out|another run's report.json|--overwrite", ["train", "--out", "@ran"]);
        yield return ("--out|another run's model.ckpt", ["train", "--out", "@good-dir"]);
        yield return ("--out|''", ["train", "--out", ""]);
        yield return ("--out|cannot create", ["train", "--out", "/proc/fnn-out"]);
        yield return ("--out|cannot create", ["train", "--out", "/dev/null/sub"]);
        // parsing
        yield return ("--bogus", ["train", "--bogus"]);
        yield return ("-x", ["train", "-x"]);
        yield return ("--batchsize", ["train", "--batchsize", "10"]);
        yield return ("'foo'", ["train", "foo"]);
        yield return ("--optimizer|\\u001b", ["train", "--optimizer", "ad\u001bam"]);
        yield return ("--lr|\\u000a", ["train", "--lr", "1\n2"]);
        yield return ("--hidden|\\u0007", ["train", "--hidden", "3\u0007"]);
        // --resume
        yield return ("absent.ckpt|cannot read", ["train", "--resume", "@absent.ckpt"]);
        yield return ("truncated.ckpt|byte ", ["train", "--resume", "@truncated.ckpt"]);
        yield return ("flipped.ckpt|SHA-256", ["train", "--resume", "@flipped.ckpt"]);
        yield return ("text.txt|magic", ["train", "--resume", "@text.txt"]);
        yield return ("empty.ckpt|too short", ["train", "--resume", "@empty.ckpt"]);
        yield return ("emptydir|cannot read", ["train", "--resume", "@emptydir"]);
        yield return ("/dev/zero|magic", ["train", "--resume", "/dev/zero"]);
        yield return ("/dev/null|too short", ["train", "--resume", "/dev/null"]);
        yield return ("model-only", ["train", "--resume", "@model-only.ckpt"]);
        yield return ("weights-only.ckpt|model-only", ["train", "--resume", "@weights-only.ckpt"]);
        foreach (var o in new[] { "--optimizer adam", "--batch 20", "--hidden 8", "--seed 3", "--dataset regression" })
            yield return ($"{o.Split(' ')[0]}|--resume", ["train", "--resume", "@good", .. o.Split(' ')]);
        yield return ("past the 5 steps", ["train", "--resume", "@good", "--iterations", "5"]);
        yield return ("--lr|'-1'", ["train", "--resume", "@good", "--lr", "-1"]);
        yield return ("--epochs|'0'", ["train", "--resume", "@good", "--epochs", "0"]);
        // evaluate
        yield return ("--model", ["evaluate"]);
        yield return ("absent.ckpt|cannot read", ["evaluate", "--model", "@absent.ckpt"]);
        yield return ("truncated.ckpt|byte ", ["evaluate", "--model", "@truncated.ckpt"]);
        yield return ("flipped.ckpt|SHA-256", ["evaluate", "--model", "@flipped.ckpt"]);
        yield return ("/dev/zero|magic", ["evaluate", "--model", "/dev/zero"]);
        yield return ("emptydir|cannot read", ["evaluate", "--model", "@emptydir"]);
        yield return ("64 features|regression has 6", ["evaluate", "--model", "@good", "--dataset", "regression"]);
        yield return ("--dataset|cifar", ["evaluate", "--model", "@good", "--dataset", "cifar"]);
        yield return ("--dataset mnist needs --data", ["evaluate", "--model", "@good", "--dataset", "mnist"]);
        yield return ("/no/such/dir", ["evaluate", "--model", "@good", "--data", "/no/such/dir"]);
        // draw
        foreach (
            var (o, v) in new[] { ("--hidden", "0"), ("--activation", "gelu"), ("--dropout", "1"), ("--init", "x") }
        )
            yield return ($"{o}|'{v}'", ["draw", o, v]);
        yield return ("--hidden|weight matrix", ["draw", "--hidden", "67108865"]);
        yield return ("--hidden|weight matrix", ["draw", "--hidden", "2147483647,2147483647,2147483647"]);
        yield return ("--out|is an existing file", ["draw", "--out", "@text.txt"]);
        yield return ("--out|255", ["draw", "--out", "@" + LongName]);
        yield return ("--out|another run's", ["draw", "--out", "@good-dir"]);
        yield return ("--dataset|cifar", ["draw", "--dataset", "cifar"]);
        // show
        yield return ("--dataset|''", ["show", "--dataset", ""]);
        yield return ("--dataset|cifar", ["show", "--dataset", "cifar"]);
        yield return ("--dataset|regression", ["show", "--dataset", "regression"]);
        yield return ("--count|'0'", ["show", "--dataset", "digits", "--count", "0"]);
        yield return ("--count|'abc'", ["show", "--dataset", "digits", "--count", "abc"]);
        yield return ("--out|is a directory", ["show", "--dataset", "digits", "--out", "@emptydir"]);
        yield return ("--out|255", ["show", "--dataset", "digits", "--out", "@" + LongName]);
        yield return ("--dataset mnist needs --data", ["show", "--dataset", "mnist"]);
        yield return ("/no/such/dir", ["show", "--dataset", "fashion-mnist", "--data", "/no/such/dir"]);
        // gradcheck
        yield return ("--samples|'0'", ["gradcheck", "--samples", "0"]);
        yield return ("--samples 1|BatchNorm", ["gradcheck", "--samples", "1", "--dataset", "digits"]);
        yield return ("--hidden|'0'", ["gradcheck", "--hidden", "0"]);
        yield return ("--hidden 100000", ["gradcheck", "--hidden", "100000"]);
        yield return ("--dataset|regression", ["gradcheck", "--dataset", "regression"]);
        yield return ("--seed|'-1'", ["gradcheck", "--seed", "-1"]);
        yield return ("--dataset mnist needs --data", ["gradcheck", "--dataset", "mnist"]);
        // experiment
        yield return ("Required argument missing|experiment", ["experiment"]);
        yield return ("unknown name|'nope'", ["experiment", "nope"]);
        yield return ("--batch 1|BatchNorm", ["experiment", "batchnorm", "--quick", "--batch", "1"]);
        foreach (var o in new[] { "--epochs", "--iterations", "--trials", "--train-size", "--batch" })
            yield return ($"{o}|'0'", ["experiment", "batchnorm", o, "0"]);
        yield return ("--iterations|does not take it", ["experiment", "batchnorm", "--iterations", "5"]);
        yield return ("--trials|does not take it", ["experiment", "optimizers", "--trials", "5"]);
        yield return ("--dataset|cifar", ["experiment", "batchnorm", "--dataset", "cifar"]);
        yield return ("--seed|'x'", ["experiment", "batchnorm", "--seed", "x"]);
        yield return ("--out|is an existing file", ["experiment", "regression", "--out", "@text.txt"]);
        yield return ("--out|another run's report.json", ["experiment", "regression", "--out", "@ran"]);
        yield return ("--out|255", ["experiment", "regression", "--out", "@" + LongName]);
        // bench
        yield return ("--repeats|'0'", ["bench", "--repeats", "0"]);
        yield return ("--steps|'0'", ["bench", "--steps", "0"]);
        yield return ("--out|is a directory", ["bench", "--out", "@emptydir"]);
        yield return ("--out|exists|--overwrite", ["bench", "--out", "@bench.json"]);
        yield return ("--out|255", ["bench", "--out", "@" + LongName + ".json"]);
        // the root
        yield return ("Required command", []);
        yield return ("'trian'", ["trian"]);
        yield return ("'--bogus'", ["--bogus"]);
    }

    public static TheoryData<string, string[]> Cases()
    {
        var d = new TheoryData<string, string[]>();
        foreach (var (e, a) in Rows())
            d.Add(e, a);
        return d;
    }

    static string[] Resolve(string[] args)
    {
        _ = Files.Value;
        var argv = args.Select(a =>
                a == "@good" ? Good.Value
                : a == "@good-dir" ? Path.GetDirectoryName(Good.Value)!
                : a.StartsWith('@') ? P(a[1..])
                : a
            )
            .ToList();
        // Every row gets a fresh --out unless it tests --out itself, so nothing lands in the working directory.
        if (argv.Count > 0 && !argv.Contains("--out"))
        {
            if (argv[0] is "train" or "draw" or "experiment")
                argv.AddRange(["--out", Fresh()]);
            else if (argv[0] == "bench")
                argv.AddRange(["--out", Fresh() + ".json"]);
            else if (argv[0] == "show")
                argv.AddRange(["--out", Fresh() + ".png"]);
        }
        return [.. argv];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_with_exit_2_and_one_line(string expect, string[] args)
    {
        var o = Run(Resolve(args));
        AssertOneLineError(o, 2, [.. expect.Split('|', StringSplitOptions.RemoveEmptyEntries)]);
    }

    [Fact]
    public void The_table_holds_at_least_170_command_lines() => Assert.True(Rows().Count() >= 170, $"{Rows().Count()}");

    [Theory]
    [InlineData("--help")]
    [InlineData("train", "--help")]
    [InlineData("evaluate", "--help")]
    [InlineData("experiment", "--help")]
    public void Help_exits_0(params string[] args) => Assert.Equal(0, Run(args).Code);
}
