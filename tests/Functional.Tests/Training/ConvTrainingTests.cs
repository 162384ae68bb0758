using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;

namespace Functional.Tests.Training;

/// <summary>A convolutional network trains, checkpoints and resumes bitwise, and gives the same bits on one and on
/// two threads.</summary>
[Collection("ThreadCountTests")]
public class ConvTrainingTests
{
    static readonly SampleShape Image = SampleShape.Image(1, 12, 12);

    static Network Net() =>
        new(
            Image,
            Prelude.Seq<Layer>(
                new Conv2D(1, 6, 3, 3, 1, 1, new WeightInit.He()),
                new Relu(),
                new MaxPool2D(2, 2, 2, 0),
                new Conv2D(6, 8, 3, 3, 2, 1, new WeightInit.He()),
                new Relu(),
                new AvgPool2D(3, 3, 3, 0),
                new Flatten(),
                new Affine(8, 3, new WeightInit.Xavier())
            ),
            new SoftmaxWithLoss()
        );

    static Dataset Data(int n)
    {
        var labels = Labels(2, n, 3);
        return new Dataset("images", Normal(1, n, Image.Size), Mat.OneHot(labels, 3), [.. labels], ["a", "b", "c"]);
    }

    [Fact]
    public void Resume_at_step_k_equals_straight_through_bitwise()
    {
        var net = Net();
        var data = Data(80);
        var opt = Adam.Dlfs(0.01);
        var batches = new Batches(80, 16, BatchSampling.Shuffle);
        var start = TrainState.Start(net, opt, Key.Of(5));
        var straight = Train.Steps(net, opt, start, data, batches, 12).Last().State;
        var atK = Train.Steps(net, opt, start, data, batches, 5).Last().State;
        var bytes = Checkpoint.Encode(new Checkpoint(net, opt, atK, new()));
        var restored = Checkpoint
            .Decode(bytes, "memory")
            .Match(c => c, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(net, restored.Net);
        Assert.Equal(Image, restored.Net.InputShape);
        var resumed = Train.Steps(restored.Net, restored.Optimizer!, restored.State, data, batches, 12).Last().State;
        Assert.Equal(ParamsHash.Sha256(straight.Params), ParamsHash.Sha256(resumed.Params));
        Assert.NotEqual(ParamsHash.Sha256(start.Params), ParamsHash.Sha256(straight.Params));
    }

    [Fact]
    public void The_spec_round_trips_with_its_image_input_shape()
    {
        var net = Nets.SimpleConvNet();
        var json = NetworkSpec.ToJson(net);
        Assert.Equal("[1,28,28]", json["input_shape"]!.ToJsonString());
        Assert.Equal(net, NetworkSpec.FromJson(json));
        Assert.Null(NetworkSpec.ToJson(Nets.TwoLayerNet())["input_shape"]);
        json["input_shape"] = new System.Text.Json.Nodes.JsonArray(1, 28, 27);
        Assert.Throws<FormatException>(() => NetworkSpec.FromJson(json));
    }

    [Fact]
    public void The_training_loop_equals_plain_steps_bitwise()
    {
        // The loop lends its scratch arrays to the image layers; the public step runs on fresh arrays.
        var net = Net();
        var data = Data(48);
        var opt = Adam.Dlfs(0.01);
        var batches = new Batches(48, 16, BatchSampling.Shuffle);
        var start = TrainState.Start(net, opt, Key.Of(7));
        var looped = Train.Steps(net, opt, start, data, batches, 6).Last().State;
        var s = start;
        for (var i = 0; i < 6; i++)
            s = Train.Step(net, opt, s, data, batches).State;
        Assert.Equal(ParamsHash.Sha256(s.Params), ParamsHash.Sha256(looped.Params));
    }

    static Params Run(int threads)
    {
        var saved = MathNet.Numerics.Control.MaxDegreeOfParallelism;
        try
        {
            MathNet.Numerics.Control.MaxDegreeOfParallelism = threads;
            var net = Nets.SimpleConvNet(SampleShape.Image(1, 28, 28), filters: 8, hidden: 20);
            var opt = Adam.Dlfs();
            var s = TrainState.Start(net, opt, Key.Of(5));
            for (var i = 0; i < 3; i++)
                s = Train.Step(net, opt, s, Normal((ulong)i, 64, 784), OneHot((ulong)i + 9, 64, 10)).State;
            return s.Params;
        }
        finally
        {
            MathNet.Numerics.Control.MaxDegreeOfParallelism = saved;
        }
    }

    [Fact]
    public void Three_steps_give_the_same_bits_on_one_and_on_two_threads()
    {
        var one = Run(1);
        var two = Run(2);
        Assert.Equal(ParamsHash.Sha256(one), ParamsHash.Sha256(two));
    }
}
