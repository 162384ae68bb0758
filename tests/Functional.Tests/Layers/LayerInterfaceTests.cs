using Functional.Core;
using Functional.Layers;
using Functional.Models;
using LanguageExt;
using Xunit;
using static Functional.Tests.Support.TestData;
using Net = Functional.Models.Network;

namespace Functional.Tests.Layers;

/// <summary>Each built-in layer through its public <see cref="Layer"/> members: the same bits as the network's path,
/// its JSON read back through <see cref="LayerKinds.BuiltIn"/>, and its declared shapes matching what it creates.</summary>
public class LayerInterfaceTests
{
    public static TheoryData<string> Names() => ["affine", "relu", "sigmoid", "tanh", "batchnorm", "dropout"];

    static Layer Make(string name) =>
        name switch
        {
            "affine" => new Affine(4, 4, new WeightInit.Std(0.5)),
            "relu" => new Relu(),
            "sigmoid" => new Sigmoid(),
            "tanh" => new Tanh(),
            "batchnorm" => new BatchNorm(4, BatchNormConfig.Flux),
            _ => new Dropout(0.3),
        };

    [Theory]
    [MemberData(nameof(Names))]
    public void Public_forward_and_backward_equal_the_network_path_bitwise(string name)
    {
        var layer = Make(name);
        var net = new Net(4, Prelude.Seq1(layer), new MeanSquaredError());
        var ps = net.Init(Key.Of(1));
        var st = net.InitState();
        var (x, dy) = (Normal(2, 5, 4), Normal(3, 5, 4));
        var ctx = Ctx.Train(Key.Of(4));

        var f = layer.Forward(new LayerParams(ps, 0), new LayerState(st, 0), x, ctx);
        var n = net.Forward(ps, st, x, ctx);
        AssertBitwise(n.Scores, f.Y, "y");
        foreach (var a in f.State ?? [])
            AssertBitwise(n.State[0, a.Name], a.Value, $"state {a.Name}");
        Assert.Equal(n.State.Values.Count, st.Values.Count);

        var b = layer.Backward(new LayerParams(ps, 0), f.Cache, dy);
        var (dx, grads) = net.Backward(ps, n.Caches, dy);
        AssertBitwise(dx, b.Dx, "dx");
        Assert.Equal(grads.Values.Count, b.Grads.Count);
        foreach (var g in b.Grads)
            AssertBitwise(grads[0, g.Name], g.Value, $"gradient {g.Name}");

        Assert.Equal(layer, LayerKinds.BuiltIn.Read(layer.ToJson(), 0));
        Assert.Equal(layer.Kind, layer.ToJson()["kind"]!.GetValue<string>());
        var input = SampleShape.Features(4);
        Assert.Equal(
            layer.ParamShapes(input).Select(s => (s.Name, s.Rows, s.Columns)),
            layer.InitParams(Key.Of(1), input).Select(a => (a.Name, a.Value.RowCount, a.Value.ColumnCount))
        );
        Assert.Equal(
            layer.StateShapes(input).Select(s => (s.Name, s.Rows, s.Columns)),
            layer.InitState(input).Select(a => (a.Name, a.Value.RowCount, a.Value.ColumnCount))
        );
    }
}
