using System.Text.Json.Nodes;
using Functional.Layers;
using LanguageExt;

namespace Functional.Models;

/// <summary>A network's architecture as JSON (for checkpoints and reports) and back.</summary>
public static class NetworkSpec
{
    /// <summary>Inputs, each layer's own JSON (<see cref="Layer.ToJson"/>), the loss and the weight decay.</summary>
    public static JsonObject ToJson(Network net)
    {
        var o = new JsonObject
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
        if (net.InputShape.IsImage) // only image networks carry it, so the specs of the others stay as they were
            o["input_shape"] = new JsonArray(net.InputShape.Channels, net.InputShape.Height, net.InputShape.Width);
        return o;
    }

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
        var net = o["input_shape"] is JsonArray image
            ? new Network(ImageShape(image, Int(o, "inputs")), Prelude.toSeq(layers), loss, Num(o, "weight_decay"))
            : new Network(Int(o, "inputs"), Prelude.toSeq(layers), loss, Num(o, "weight_decay"));
        _ = net.Outputs; // validates the chain
        return net;
    }

    /// <summary>[C, H, W], positive, with C·H·W equal to the spec's inputs.</summary>
    static SampleShape ImageShape(JsonArray a, int inputs)
    {
        if (a.Count != 3 || a.Any(v => v is not JsonValue jv || !jv.TryGetValue<int>(out var d) || d <= 0))
            throw new FormatException("network spec: 'input_shape' must be [channels, height, width], all positive");
        var shape = SampleShape.Image((int)a[0]!, (int)a[1]!, (int)a[2]!);
        if (shape.Size != inputs)
            throw new FormatException(
                $"network spec: 'input_shape' {shape} holds {shape.Size} values, 'inputs' says {inputs}"
            );
        return shape;
    }

    internal static string Str(JsonObject o, string name) => LayerJson.Str(o, name);

    internal static int Int(JsonObject o, string name) => LayerJson.Int(o, name);

    internal static double Num(JsonObject o, string name) => LayerJson.Num(o, name);
}
