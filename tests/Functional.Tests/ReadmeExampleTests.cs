using System.Text.RegularExpressions;
using Functional.Core;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using Xunit;

namespace ReadmeExample; // outside Functional.* so names resolve exactly as in a user's program

/// <summary>The README's example compiles and runs: it is this method's body, checked line by line against README.md.</summary>
public partial class ReadmeExampleTests
{
    [Fact]
    public void Example_runs()
    {
        // README-BEGIN
        var data = DataSets.Digits(seed: 1); // the 8×8 digits, standardised and split 1347/450 as `fnn train` does
        var net = Nets.MultiLayerNetExtend(64, [32], 10, HiddenActivation.Relu, batchNorm: true); // 64-32-BN-ReLU-10
        var rule = new Sgd(0.01);
        var start = TrainState.Start(net, rule, Key.Of(1)); // parameters drawn from an explicit, splittable key
        var batches = new Batches(data.Train.Count, 10, BatchSampling.Shuffle); // a pure function of (key, step)
        var end = Train.Run(net, rule, start, data.Train, batches, 20 * batches.StepsPerEpoch).State; // 20 epochs, a fold
        var test = Train.Evaluate(net, end.Params, end.Model, data.Test); // evaluation mode: running statistics
        Console.WriteLine($"test accuracy {test.Accuracy:F4}");

        var path = Path.Combine(Path.GetTempPath(), "digits.ckpt");
        Checkpoint.Save(path, new Checkpoint(net, rule, end, new())).ThrowIfFail(); // atomic, checksummed
        var saved = Checkpoint.Load(path).ThrowIfFail(); // a damaged file is a one-line error naming the byte
        var sample = data.Test.X.RowValues(0); // one sample's 64 features
        var digit = saved.Net.Classify(saved.State.Params, saved.State.Model, sample);
        Console.WriteLine($"test sample 0 looks like a {digit}; its label is {data.Test.Labels[0]}");
        // README-END
        Assert.True(test.Accuracy > 0.9, $"test accuracy {test.Accuracy}");
        Assert.Equal(data.Test.Labels[0], digit);
        Assert.Equal(ParamsHash.Sha256(end.Params), ParamsHash.Sha256(saved.State.Params));
        // The library's loop is the one `fnn train --epochs 20` runs: same split, same batches, same bits.
        var outDir = Path.Combine(Path.GetTempPath(), "readme-" + Guid.NewGuid().ToString("N"));
        var code = Functional.Cli.Commands.TrainCommand.Run(
            Functional.Cli.TrainConfig.Default with
            {
                Epochs = 20,
            },
            outDir,
            null,
            TextWriter.Null
        );
        Assert.Equal(0, code);
        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")))!;
        Assert.Equal(ParamsHash.Sha256(end.Params), (string)report["parameters_sha256"]!);
        Directory.Delete(outDir, recursive: true);
        Assert.Equal(net.Classify(end.Params, end.Model, sample), digit);
        File.Delete(path);
    }

    [Fact]
    public void Readme_shows_exactly_this_example()
    {
        static string[] Lines(string s) =>
            [.. s.Split('\n').Select(l => Regex.Replace(l.Trim(), @"\s+", " ")).Where(l => l.Length > 0)];
        var source = File.ReadAllText(
            Path.Combine(Functional.Tests.Support.Snap.Root, "tests/Functional.Tests/ReadmeExampleTests.cs")
        );
        var body = Regex.Match(source, @"// README-BEGIN\n(.*?)// README-END", RegexOptions.Singleline).Groups[1].Value;
        var readme = File.ReadAllText(Path.Combine(Functional.Tests.Support.Snap.Root, "README.md"));
        var block = Regex.Match(readme, @"```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        var expected = Lines(body);
        var actual = Lines(block).Where(l => !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(expected, actual);
    }
}
