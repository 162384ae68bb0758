using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Functional.Layers;

/// <summary>
/// The layer types a network spec may name: a JSON <c>"kind"</c> mapped to the reader of that layer's JSON. An
/// immutable value: <see cref="BuiltIn"/> holds the library's layers, and <see cref="With"/> returns a registry that
/// also reads a caller's own layer type (one registration per type).
/// </summary>
public sealed record LayerKinds
{
    readonly ImmutableDictionary<string, Func<JsonObject, Layer>> _readers;

    LayerKinds(ImmutableDictionary<string, Func<JsonObject, Layer>> readers) => _readers = readers;

    /// <summary>The library's layers.</summary>
    public static LayerKinds BuiltIn { get; } =
        new LayerKinds(ImmutableDictionary.Create<string, Func<JsonObject, Layer>>(StringComparer.Ordinal))
            .With("affine", Affine.FromJson)
            .With("batchnorm", BatchNorm.FromJson)
            .With("relu", Relu.FromJson)
            .With("sigmoid", Sigmoid.FromJson)
            .With("tanh", Tanh.FromJson)
            .With("dropout", Dropout.FromJson)
            .With("conv2d", Conv2D.FromJson)
            .With("maxpool2d", MaxPool2D.FromJson)
            .With("avgpool2d", AvgPool2D.FromJson)
            .With("flatten", Flatten.FromJson);

    /// <summary>This registry with <paramref name="kind"/> read by <paramref name="read"/> (replacing any reader of
    /// that name).</summary>
    public LayerKinds With(string kind, Func<JsonObject, Layer> read) => new(_readers.SetItem(kind, read));

    /// <summary>The registered kinds, in ordinal order.</summary>
    public IEnumerable<string> Kinds => _readers.Keys.OrderBy(k => k, StringComparer.Ordinal);

    /// <summary>Reads one layer; an unknown kind throws <see cref="FormatException"/> naming the layer's position.</summary>
    public Layer Read(JsonObject o, int index)
    {
        var kind = LayerJson.Str(o, "kind");
        return _readers.TryGetValue(kind, out var read)
            ? read(o)
            : throw new FormatException($"layer {index}: unknown kind '{kind}'");
    }

    /// <inheritdoc/>
    public bool Equals(LayerKinds? other) =>
        other is not null && Kinds.SequenceEqual(other.Kinds, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => _readers.Count;
}
