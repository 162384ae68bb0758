using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Tests.Support;
using Functional.Training;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using Net = Functional.Models.Network;

namespace Functional.Tests.Layers;

/// <summary>
/// A layer defined outside the library (<see cref="Scale"/>: one file) and registered once: the network trains,
/// gradient-checks, checkpoints and summarises it without knowing it.
/// </summary>
public class ExtensionTests
{
    static readonly LayerKinds Kinds = LayerKinds.BuiltIn.With("scale", Scale.FromJson);

    static readonly Dataset Toy = TestData.Toy(31, 40);

    // The ReLU before the last Affine is fused into that Affine's backward; the Scale sits between two built-ins.
    static Net Classifier() =>
        new(
            Toy.Features,
            Prelude.Seq<Layer>(
                new Affine(Toy.Features, 5, new WeightInit.He()),
                new Scale(0.7),
                new Relu(),
                new Affine(5, 3, new WeightInit.He())
            ),
            new SoftmaxWithLoss()
        );

    [Fact]
    public void A_network_with_a_new_layer_passes_the_gradient_check()
    {
        var net = new Net(
            4,
            Prelude.Seq<Layer>(
                new Affine(4, 3, new WeightInit.Std(0.5)),
                new Scale(0.7),
                new Sigmoid(),
                new Affine(3, 2, new WeightInit.Std(0.5))
            ),
            new MeanSquaredError(),
            WeightDecay: 0.05
        );
        var ps = net.Init(Key.Of(3));
        var st = net.InitState();
        var (x, t) = (Normal(4, 6, 4), Normal(5, 6, 2));
        var ctx = Ctx.Train(Key.Of(1));
        var checks = GradCheck.Run(net, ps, st, x, t, ctx);
        Assert.Contains(new ParamKey(1, "a"), checks.Keys);
        foreach (var (key, d) in checks)
            Assert.True(d.MaxRelError < 1e-6, $"{key}: max relative error {d.MaxRelError}");
        Assert.True(GradCheck.Input(net, ps, st, x, t, ctx).MaxRelError < 1e-6);
    }

    [Fact]
    public void A_network_with_a_new_layer_trains_and_the_fold_equals_the_steps()
    {
        var net = Classifier();
        var opt = Adam.Dlfs(0.05);
        var batches = new Batches(Toy.Count, 8, BatchSampling.Shuffle);
        var start = TrainState.Start(net, opt, Key.Of(7));
        var steps = Train.Steps(net, opt, start, Toy, batches, 40).ToList();
        var run = Train.Run(net, opt, start, Toy, batches, 40, recycleFrom: 0);

        var before = Train.Evaluate(net, start.Params, start.Model, Toy).Loss;
        var after = Train.Evaluate(net, run.State.Params, run.State.Model, Toy).Loss;
        Assert.True(after < 0.8 * before, $"loss {before} → {after}");
        Assert.NotEqual(0.7, run.State.Params[1, "a"][0, 0]);
        Assert.True(run.State.Model[1, "peak"][0, 0] > 0, "training raised the layer's state");
        Assert.Equal(
            Checkpoint.Encode(new Checkpoint(net, opt, steps[^1].State, new())),
            Checkpoint.Encode(new Checkpoint(net, opt, run.State, new()))
        );
    }

    [Fact]
    public void A_network_with_a_new_layer_round_trips_through_its_spec_and_a_checkpoint()
    {
        var net = Classifier();
        var json = NetworkSpec.ToJson(net);
        Assert.Equal(net, NetworkSpec.FromJson(json, Kinds));
        var unknown = Assert.Throws<FormatException>(() => NetworkSpec.FromJson(json));
        Assert.Contains("layer 1: unknown kind 'scale'", unknown.Message, StringComparison.Ordinal);

        var opt = new Sgd(0.1);
        var state = Train
            .Run(
                net,
                opt,
                TrainState.Start(net, opt, Key.Of(8)),
                Toy,
                new Batches(Toy.Count, 8, BatchSampling.Shuffle),
                5
            )
            .State;
        var bytes = Checkpoint.Encode(new Checkpoint(net, opt, state, new()));
        var loaded = Checkpoint
            .Decode(bytes, "memory", Kinds)
            .Match(c => c, e => throw new InvalidOperationException(e.Message));
        Assert.Equal(net, loaded.Net);
        Assert.Equal(ParamsHash.Sha256(state.Params), ParamsHash.Sha256(loaded.State.Params));
        Assert.True(Mat.BitwiseEqual(state.Model[1, "peak"], loaded.State.Model[1, "peak"]));
        Assert.True(Checkpoint.Decode(bytes, "memory").IsFail); // not registered: the kind is named, nothing thrown
        Assert.Contains("Scale (a₀ = 0.7)", net.Summary(), StringComparison.Ordinal);
    }
}
