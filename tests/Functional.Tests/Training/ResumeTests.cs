using Functional.Core;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Support;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Training;

/// <summary>Resuming from a checkpoint taken at step k and training on gives bitwise the straight-through result.</summary>
public class ResumeTests
{
    static TrainTest Data()
    {
        var x = TestData.Normal(1, 60, 8);
        var labels = TestData.Labels(2, 60, 3);
        var d = new Dataset("toy", x, Mat.OneHot(labels, 3), [.. labels], ["a", "b", "c"]);
        return new TrainTest(d, d.Take(20));
    }

    public static TheoryData<string, string> Cases =>
        new()
        {
            { "adam", "shuffle" },
            { "momentum", "replacement" },
            { "rmsprop", "shuffle" },
        };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resume_at_step_k_equals_straight_through_bitwise(string optimizer, string sampling)
    {
        var data = Data();
        var net = Nets.MultiLayerNetExtend(8, [6, 5], 3, batchNorm: true, dropout: 0.2);
        var opt = Functional.Optim.Optimizers.Parse(optimizer, 0.01);
        var batches = new Batches(60, 7, sampling == "shuffle" ? BatchSampling.Shuffle : BatchSampling.Replacement);
        var start = TrainState.Start(net, opt, Key.Of(5));

        var straight = Train.Steps(net, opt, start, data.Train, batches, 40).Last().State;

        var atK = Train.Steps(net, opt, start, data.Train, batches, 17).Last().State;
        var bytes = Checkpoint.Encode(new Checkpoint(net, opt, atK, new()));
        var restored = Checkpoint
            .Decode(bytes, "memory")
            .Match(c => c, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(17, restored.State.Step);
        var resumed = Train
            .Steps(restored.Net, restored.Optimizer!, restored.State, data.Train, batches, 40)
            .Last()
            .State;

        Assert.Equal(ParamsHash.Sha256(straight.Params), ParamsHash.Sha256(resumed.Params));
        foreach (var (k, s) in straight.Model.Values)
            Assert.True(Mat.BitwiseEqual(s, resumed.Model[k]));
        Assert.NotEqual(ParamsHash.Sha256(start.Params), ParamsHash.Sha256(straight.Params));
    }

    [Fact]
    public void A_model_only_checkpoint_loads_for_prediction_without_optimizer_state()
    {
        var net = Nets.DigitsBatchNorm();
        var opt = Adam.Dlfs();
        var s = TrainState.Start(net, opt, Key.Of(1));
        var withOpt = Checkpoint.Encode(new Checkpoint(net, opt, s, new()));
        var modelOnly = Checkpoint.Encode(new Checkpoint(net, null, s, new()));
        Assert.True(modelOnly.Length < withOpt.Length / 2);
        var c = Checkpoint
            .Decode(modelOnly, "model")
            .Match(x => x, e => throw new InvalidOperationException(e.Message));
        Assert.Null(c.Optimizer);
        Assert.Equal(ParamsHash.Sha256(s.Params), ParamsHash.Sha256(c.State.Params));
        Assert.Equal(net, c.Net with { });
    }

    [Fact]
    public void Corrupt_or_truncated_checkpoints_are_errors_naming_the_source_and_offset()
    {
        var net = Nets.TwoLayerNet(4, 3, 2);
        var bytes = Checkpoint.Encode(new Checkpoint(net, null, TrainState.Start(net, new Sgd(), Key.Of(1)), new()));
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        string Err(byte[] b) => Checkpoint.Decode(b, "m.ckpt").Match(_ => "ok", e => e.Message);
        Assert.Matches(@"^m\.ckpt: byte \d+: SHA-256 checksum does not match", Err(flipped));
        Assert.Matches(@"^m\.ckpt: byte \d+: ", Err(bytes[..(bytes.Length - 5)]));
        Assert.StartsWith(
            "m.ckpt: byte 0: not a Functional checkpoint",
            Err([.. "NOPE"u8, .. bytes[4..]]),
            StringComparison.Ordinal
        );
    }
}
