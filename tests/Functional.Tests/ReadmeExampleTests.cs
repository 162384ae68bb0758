using System.Text.RegularExpressions;
using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Xunit;

namespace ReadmeExample; // outside Functional.* so names resolve exactly as in a user's program

/// <summary>The README's example compiles and runs: it is this method's body, checked line by line against README.md.</summary>
public partial class ReadmeExampleTests
{
    [Fact]
    public void Example_runs()
    {
        // README-BEGIN
        var net = Nets.MultiLayerNetExtend(64, [32], 10, HiddenActivation.Relu, batchNorm: true); // 64-32-BN-ReLU-10
        var key = Key.Of(seed: 1); // explicit, splittable randomness
        var ps = net.Init(key.FoldIn(1)); // Params: Map<ParamKey, Tensor>, "0.W", "1.gamma", …
        var st = net.InitState(); // BatchNorm running statistics
        var x = Sampling.Normal(key.FoldIn(2), 10, 64); // a batch: rows = samples
        var t = Mat.OneHot([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 10);

        var r = net.LossAndGrads(ps, st, x, t, Ctx.Train(key.FoldIn(3))); // forward + backward, nothing mutated
        var rule = new Sgd(0.01);
        var (ps2, opt2) = Optimizers.Update(rule, Optimizers.Init(rule, ps), ps, r.Grads); // a step is a fold
        var probs = net.Predict(ps2, r.State, x); // evaluation mode, with the new BatchNorm statistics
        Console.WriteLine($"loss {r.Loss:F4}, class of sample 0: {Mat.ArgMaxRows(probs)[0]}");
        // README-END
        Assert.Equal(1, opt2.Step);
        Assert.True(r.Loss is > 1.5 and < 4);
        Assert.Equal(10, probs.RowCount);
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
