using System.Text.Json.Nodes;
using Functional.Layers;
using LanguageExt;

namespace Functional.Network;

/// <summary>A network's architecture as JSON (for checkpoints and reports) and back.</summary>
public static class NetworkSpec
{
    public static JsonObject ToJson(Network net) =>
        new()
        {
            ["inputs"] = net.Inputs,
            ["layers"] = new JsonArray([.. net.Layers.Map(LayerJson)]),
            ["loss"] = net.Loss switch
            {
                SoftmaxWithLoss => "softmax_cross_entropy",
                MeanSquaredError => "mse",
                _ => throw new NotSupportedException(net.Loss.GetType().Name),
            },
            ["weight_decay"] = net.WeightDecay,
        };

    static JsonNode LayerJson(Layer l) =>
        l switch
        {
            Affine a => new JsonObject
            {
                ["kind"] = "affine",
                ["in"] = a.In,
                ["out"] = a.Out,
                ["init"] = a.Init.ToString(),
            },
            BatchNorm b => new JsonObject
            {
                ["kind"] = "batchnorm",
                ["features"] = b.Features,
                ["running_decay"] = b.Config.RunningDecay,
                ["epsilon"] = b.Config.Epsilon,
                ["unbiased_running_var"] = b.Config.UnbiasedRunningVar,
                ["initial_running_var"] = b.Config.InitialRunningVar,
            },
            Relu => new JsonObject { ["kind"] = "relu" },
            Sigmoid => new JsonObject { ["kind"] = "sigmoid" },
            Tanh => new JsonObject { ["kind"] = "tanh" },
            Dropout d => new JsonObject { ["kind"] = "dropout", ["ratio"] = d.Ratio },
            _ => throw new NotSupportedException(l.GetType().Name),
        };

    /// <summary>Parses the JSON written by <see cref="ToJson"/>; a malformed spec throws <see cref="FormatException"/>.</summary>
    public static Network FromJson(JsonNode? node)
    {
        var o = node as JsonObject ?? throw new FormatException("network spec is not a JSON object");
        var layers = (o["layers"] as JsonArray ?? throw new FormatException("network spec has no 'layers' array"))
            .Select(
                (l, i) => ParseLayer(l as JsonObject ?? throw new FormatException($"layer {i} is not an object"), i)
            )
            .ToArray();
        LossLayer loss = Str(o, "loss") switch
        {
            "softmax_cross_entropy" => new SoftmaxWithLoss(),
            "mse" => new MeanSquaredError(),
            var s => throw new FormatException($"unknown loss '{s}'"),
        };
        var net = new Network(Int(o, "inputs"), Prelude.toSeq(layers), loss, Num(o, "weight_decay"));
        _ = net.Outputs; // validates the chain
        return net;
    }

    static Layer ParseLayer(JsonObject o, int i) =>
        Str(o, "kind") switch
        {
            "affine" => new Affine(Int(o, "in"), Int(o, "out"), WeightInit.Parse(Str(o, "init"))),
            "batchnorm" => new BatchNorm(
                Int(o, "features"),
                new BatchNormConfig(
                    Num(o, "running_decay"),
                    Num(o, "epsilon"),
                    o["unbiased_running_var"]?.GetValue<bool>() ?? false,
                    Num(o, "initial_running_var")
                )
            ),
            "relu" => new Relu(),
            "sigmoid" => new Sigmoid(),
            "tanh" => new Tanh(),
            "dropout" => new Dropout(Num(o, "ratio")),
            var k => throw new FormatException($"layer {i}: unknown kind '{k}'"),
        };

    internal static string Str(JsonObject o, string name) =>
        o[name]?.GetValue<string>() ?? throw new FormatException($"missing field '{name}'");

    internal static int Int(JsonObject o, string name) =>
        o[name]?.GetValue<int>() ?? throw new FormatException($"missing field '{name}'");

    internal static double Num(JsonObject o, string name) =>
        o[name]?.GetValue<double>() ?? throw new FormatException($"missing field '{name}'");
}
