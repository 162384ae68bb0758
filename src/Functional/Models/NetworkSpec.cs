using System.Text.Json.Nodes;
using Functional.Layers;
using LanguageExt;

namespace Functional.Models;

/// <summary>A network's architecture as JSON (for checkpoints and reports) and back.</summary>
public static class NetworkSpec
{
    /// <summary>Inputs, each layer's own JSON (<see cref="Layer.ToJson"/>), the loss and the weight decay.</summary>
    public static JsonObject ToJson(Network net) =>
        new()
        {
            ["inputs"] = net.Inputs,
            ["layers"] = new JsonArray([.. net.Layers.Map(l => (JsonNode)l.ToJson())]),
            ["loss"] = net.Loss switch
            {
                SoftmaxWithLoss => "softmax_cross_entropy",
                MeanSquaredError => "mse",
                _ => throw new NotSupportedException(net.Loss.GetType().Name),
            },
            ["weight_decay"] = net.WeightDecay,
        };

    /// <summary>Parses the JSON written by <see cref="ToJson"/>, reading each layer by its <c>"kind"</c> from
    /// <paramref name="kinds"/> (default <see cref="LayerKinds.BuiltIn"/>); a malformed spec throws
    /// <see cref="FormatException"/>.</summary>
    public static Network FromJson(JsonNode? node, LayerKinds? kinds = null)
    {
        var registry = kinds ?? LayerKinds.BuiltIn;
        var o = node as JsonObject ?? throw new FormatException("network spec is not a JSON object");
        var layers = (o["layers"] as JsonArray ?? throw new FormatException("network spec has no 'layers' array"))
            .Select(
                (l, i) => registry.Read(l as JsonObject ?? throw new FormatException($"layer {i} is not an object"), i)
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

    internal static string Str(JsonObject o, string name) => LayerJson.Str(o, name);

    internal static int Int(JsonObject o, string name) => LayerJson.Int(o, name);

    internal static double Num(JsonObject o, string name) => LayerJson.Num(o, name);
}
