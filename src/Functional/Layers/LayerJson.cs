using System.Text.Json.Nodes;

namespace Functional.Layers;

/// <summary>Typed readers of a layer's JSON fields; a missing field throws <see cref="FormatException"/> naming it.</summary>
public static class LayerJson
{
    /// <summary>The string field <paramref name="name"/>.</summary>
    public static string Str(JsonObject o, string name) =>
        o[name]?.GetValue<string>() ?? throw new FormatException($"missing field '{name}'");

    /// <summary>The integer field <paramref name="name"/>.</summary>
    public static int Int(JsonObject o, string name) =>
        o[name]?.GetValue<int>() ?? throw new FormatException($"missing field '{name}'");

    /// <summary>The number field <paramref name="name"/>.</summary>
    public static double Num(JsonObject o, string name) =>
        o[name]?.GetValue<double>() ?? throw new FormatException($"missing field '{name}'");
}
