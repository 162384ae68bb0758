using Functional.Core;
using Functional.Layers;
using Functional.Models;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using Back = Functional.Models.StagePlan.Back;
using Net = Functional.Models.Network;

namespace Functional.Tests.Models;

/// <summary>The fusion plan a network makes once from its layer list, and that it follows its fields.</summary>
public class StagePlanTests
{
    static readonly WeightInit W = new WeightInit.Std(0.5);

    [Fact]
    public void An_affine_absorbs_the_activation_after_it_and_the_relu_before_it()
    {
        var plan = new Net(
            4,
            Prelude.Seq<Layer>(new Affine(4, 3, W), new Relu(), new Affine(3, 2, W)),
            new SoftmaxWithLoss()
        ).Plan;
        Assert.Equal([(0, true), (2, false)], plan.Forward.Select(s => (s.Index, s.Fused is not null)));
        Assert.Equal([Back.Own, Back.Skip, Back.FusedWithPrevious], plan.WithInput);
        Assert.Equal([Back.Own, Back.Skip, Back.FusedWithPrevious], plan.WithoutInput);
        Assert.Equal(4, plan.ParamCount);
        Assert.True(plan.TakesBuffers);
    }

    [Fact]
    public void A_first_relu_is_fused_only_when_the_input_gradient_is_wanted()
    {
        var plan = new Net(
            3,
            Prelude.Seq<Layer>(new Relu(), new Affine(3, 2, W), new Sigmoid()),
            new MeanSquaredError()
        ).Plan;
        Assert.Equal([(0, false), (1, true)], plan.Forward.Select(s => (s.Index, s.Fused is not null)));
        Assert.Equal([Back.Skip, Back.FusedWithPrevious, Back.Own], plan.WithInput);
        Assert.Equal([Back.Own, Back.Own, Back.Own], plan.WithoutInput);
    }

    [Fact]
    public void A_network_changed_with_with_is_planned_from_its_new_layers()
    {
        var relu = Nets.TwoLayerNet(5, 4, 3, 0.5, HiddenActivation.Relu);
        var changed = relu with { Layers = Prelude.Seq<Layer>(new Affine(5, 4, W), new Tanh(), new Affine(4, 3, W)) };
        var fresh = new Net(5, changed.Layers, changed.Loss);
        Assert.Equal(fresh, changed);
        var ps = fresh.Init(Key.Of(2));
        var (x, t) = (Normal(3, 6, 5), OneHot(4, 6, 3));
        var a = changed.LossAndGrads(ps, fresh.InitState(), x, t, Ctx.TrainNoKey);
        var b = fresh.LossAndGrads(ps, fresh.InitState(), x, t, Ctx.TrainNoKey);
        Assert.Equal(b.Loss, a.Loss);
        foreach (var (k, g) in b.Grads.Values)
            AssertBitwise(g, a.Grads[k], $"gradient {k}");
        Assert.Equal([Back.Own, Back.Own, Back.Own], changed.Plan.WithoutInput);
    }

    [Fact]
    public void An_image_input_shape_is_carried_and_an_affine_asks_for_it_flat()
    {
        var net = new Net(SampleShape.Image(1, 2, 3), Prelude.Seq1<Layer>(new Relu()), new MeanSquaredError());
        Assert.Equal(6, net.Inputs);
        Assert.Equal("1×2×3", net.OutputShape.ToString());
        var flat = new Net(
            SampleShape.Image(1, 2, 3),
            Prelude.Seq1<Layer>(new Affine(6, 2, W)),
            new MeanSquaredError()
        );
        var e = Assert.Throws<ArgumentException>(() => flat.Init(Key.Of(1)));
        Assert.Contains(
            "Affine(6→2): expected 6 input features, got an image 1×2×3; flatten it first",
            e.Message,
            StringComparison.Ordinal
        );
    }
}
