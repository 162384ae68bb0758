using Functional.Cli.Commands;
using Functional.Layers;
using Functional.Models;
using Functional.Tests.Data;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>
/// `train --model simple-convnet` as a real process: one and two processors, and AVX-512 on and off, give the same
/// report bit for bit, and
/// a run resumed from its checkpoint finishes as the straight run; `draw` and `gradcheck` know the image layers.
/// </summary>
[Collection("Child processes")]
public sealed class ConvNetCommandTests : IDisposable
{
    readonly string _dir = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-conv-" + Guid.NewGuid().ToString("N")))
        .FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Dir(string name) => Path.Combine(_dir, name);

    static void Ok(Fnn.Result r, string what) =>
        Assert.True(r.Code == 0, $"{what}: exit {r.Code}\nstderr: {r.Err}\nstdout: {r.Out}");

    // The digits as 1×8×8 images: 1347 training samples, 14 steps of 100 an epoch.
    static readonly string[] Cfg = ["train", "--model", "simple-convnet", "--dataset", "digits", "--seed", "3"];

    [Fact]
    public void One_and_two_processors_give_the_same_report_and_resume_equals_the_straight_run()
    {
        Ok(Fnn.Run([.. Cfg, "--epochs", "2", "--out", Dir("default")]), "default processors");
        Ok(
            Fnn.Run(
                [.. Cfg, "--epochs", "2", "--out", Dir("one")],
                new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = "1" }
            ),
            "one processor"
        );
        Assert.Contains("\"processor_count\": 1", File.ReadAllText(Path.Combine(Dir("one"), "report.json")));
        Assert.Equal(Fnn.ReportWithoutTiming(Dir("default")), Fnn.ReportWithoutTiming(Dir("one")));
        // Without AVX-512 the GEMM takes its 256-bit tiles: the same sums in the same order, so the same bits.
        Ok(
            Fnn.Run(
                [.. Cfg, "--epochs", "2", "--out", Dir("no-avx512")],
                new Dictionary<string, string> { ["DOTNET_EnableAVX512F"] = "0" }
            ),
            "AVX-512 off"
        );
        Assert.Equal(Fnn.ReportWithoutTiming(Dir("default")), Fnn.ReportWithoutTiming(Dir("no-avx512")));
        var report = File.ReadAllText(Path.Combine(Dir("default"), "report.json"));
        Assert.Contains("\"model\": \"simple-convnet\"", report, StringComparison.Ordinal);
        Assert.Contains("conv2d", report, StringComparison.Ordinal);

        Ok(Fnn.Run([.. Cfg, "--epochs", "1", "--out", Dir("cut")]), "first epoch");
        Ok(
            Fnn.Run([
                "train",
                "--resume",
                Path.Combine(Dir("cut"), "model.ckpt"),
                "--epochs",
                "2",
                "--out",
                Dir("cut"),
            ]),
            "resume"
        );
        Assert.Equal(Fnn.ReportWithoutTiming(Dir("default")), Fnn.ReportWithoutTiming(Dir("cut")));
    }

    [Fact]
    public void Draw_labels_the_image_layers_and_their_shapes()
    {
        using var dir = new TempDir();
        var net = Nets.SimpleConvNet();
        using var log = new StringWriter();
        Assert.Equal(0, DrawCommand.Run(net, dir.Path, log));
        var dot = File.ReadAllText(Path.Combine(dir.Path, "network.dot"));
        foreach (
            var part in new[]
            {
                "input\\n1×28×28",
                "Conv2D\\n1→30, 5×5",
                "30×24×24",
                "MaxPool2D\\n2×2",
                "4320",
                "Affine\\n4320→100",
            }
        )
            Assert.Contains(part, dot, StringComparison.Ordinal);
        Assert.Contains("Flatten", net.Summary(), StringComparison.Ordinal);
        Assert.Contains("n×30×12×12", net.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gradcheck_checks_a_conv_net_as_well()
    {
        using var log = new StringWriter();
        Assert.Equal(0, GradCheckCommand.Run("digits", null, 3, 5, 1, log));
        var text = log.ToString();
        Assert.Contains("SimpleConvNet 1×8×8", text, StringComparison.Ordinal);
        Assert.Contains("all gradients agree", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_W7_workload_is_the_peers_configuration_and_counts_its_arrays()
    {
        var w = Functional.Cli.Bench.Workloads.ConvNet(Functional.Cli.DataSources.Load("fashion-mnist", null, 1).Train);
        Assert.Equal(100, w.Batches.BatchSize);
        Assert.Equal(Functional.Training.BatchSampling.Replacement, w.Batches.Sampling);
        Assert.Equal(600, w.Steps);
        Assert.Equal(SampleShape.Image(1, 28, 28), w.Net.InputShape);
        long act = 100L * (784 + 17280 + 17280 + 4320 + 4320 + 100 + 100 + 10);
        long grad =
            100L * (17280 + 17280 + 4320 + 4320 + 100 + 100) + (750 + 30 + 432000 + 100 + 1000 + 10) + 100L * 10;
        Assert.Equal(8 * (act + grad), BenchCommand.ActivationAndGradientBytes(w));
    }

    [Fact]
    public void Bad_model_options_are_usage_errors()
    {
        var r = Fnn.Run(["train", "--model", "resnet"]);
        Assert.Equal(2, r.Code);
        Assert.Contains("--model: expected one of mlp, simple-convnet, got 'resnet'", r.Err, StringComparison.Ordinal);
        var reg = Fnn.Run(["train", "--model", "simple-convnet", "--dataset", "regression"]);
        Assert.Equal(2, reg.Code);
        Assert.Contains("--model simple-convnet", reg.Err, StringComparison.Ordinal);
        Assert.Equal(SampleShape.Image(1, 8, 8), Functional.Cli.TrainConfig.ImageShape("digits", 64));
    }
}
