using Functional.Cli.Commands;
using Functional.Models;
using Functional.Tests.Data;
using Xunit;

namespace Functional.Tests.Experiments;

/// <summary>The gradcheck, show and draw commands, in-process on small inputs and a temporary folder.</summary>
public class CommandTests
{
    [Fact]
    public void Gradcheck_passes_for_TwoLayerNet_and_BatchNorm_net_and_prints_every_parameter()
    {
        using var log = new StringWriter();
        Assert.Equal(0, GradCheckCommand.Run("digits", null, 3, 5, 1, log));
        var text = log.ToString();
        foreach (var key in new[] { "0.W", "0.b", "2.W", "2.b", "1.gamma", "1.beta", "3.W" })
            Assert.Contains(key, text, StringComparison.Ordinal);
        Assert.Contains("all gradients agree", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_writes_a_png_grid_of_labelled_images()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "digits.png");
        ShowCommand.Write(global::Functional.Cli.DataSources.Load("digits", null, 1).Train, 9, path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }

    [Fact]
    public void Draw_writes_dot_and_summary_with_every_layer()
    {
        using var dir = new TempDir();
        var net = Nets.MultiLayerNetExtend(784, [100, 50], 10, batchNorm: true, dropout: 0.2);
        using var log = new StringWriter();
        Assert.Equal(0, DrawCommand.Run(net, dir.Path, log));
        var dot = File.ReadAllText(Path.Combine(dir.Path, "network.dot"));
        Assert.StartsWith("digraph network {", dot, StringComparison.Ordinal);
        foreach (
            var part in new[]
            {
                "Affine\\n784→100",
                "BatchNorm\\n100",
                "Dropout\\n0.2",
                "Affine\\n50→10",
                "SoftmaxWithLoss",
            }
        )
            Assert.Contains(part, dot, StringComparison.Ordinal);
        Assert.Equal(net.Summary() + "\n", File.ReadAllText(Path.Combine(dir.Path, "summary.txt")));
    }
}
