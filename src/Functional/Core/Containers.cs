using LanguageExt;

namespace Functional.Core;

/// <summary>Trainable arrays of a network, keyed by (layer, name). Biases are 1×n matrices so every entry has one type.</summary>
public sealed record Params(Map<ParamKey, Tensor> Values)
{
    /// <summary>No parameters (a network without trainable layers).</summary>
    public static Params Empty { get; } = new(LanguageExt.Map<ParamKey, Tensor>.Empty);

    /// <summary>The array <paramref name="key"/>; a missing one is an error listing the keys the network has.</summary>
    public Tensor this[ParamKey key] =>
        Values.Find(key).IfNoneUnsafe((Tensor?)null)
        ?? throw new KeyNotFoundException($"no parameter '{key}'; the network has: {string.Join(", ", Values.Keys)}");

    /// <summary>The array (<paramref name="layer"/>, <paramref name="name"/>), e.g. <c>(0, "W")</c>.</summary>
    public Tensor this[int layer, string name] => this[new ParamKey(layer, name)];

    /// <summary>The number of arrays (two per Affine layer, W and b).</summary>
    public int Count => Values.Count;

    /// <summary>The number of scalars over all arrays.</summary>
    public long Size => Values.Values.Sum(m => (long)m.RowCount * m.ColumnCount);
}

/// <summary>Gradients, shaped like <see cref="Params"/> but a distinct type so the two can never be swapped.</summary>
public sealed record Grads(Map<ParamKey, Tensor> Values)
{
    /// <summary>No gradients.</summary>
    public static Grads Empty { get; } = new(LanguageExt.Map<ParamKey, Tensor>.Empty);

    /// <summary>The gradient of the parameter <paramref name="key"/>; a missing one is an error.</summary>
    public Tensor this[ParamKey key] =>
        Values.Find(key).IfNoneUnsafe((Tensor?)null) ?? throw new KeyNotFoundException($"no gradient for '{key}'");

    /// <summary>The gradient of the parameter (<paramref name="layer"/>, <paramref name="name"/>).</summary>
    public Tensor this[int layer, string name] => this[new ParamKey(layer, name)];
}

/// <summary>
/// Non-trainable state of a network (BatchNorm's running statistics and the like), keyed like <see cref="Params"/>
/// by (layer, name): <c>"1.mean"</c>, <c>"1.var"</c>.
/// </summary>
public sealed record ModelState(Map<ParamKey, Tensor> Values)
{
    /// <summary>No state (a network without stateful layers).</summary>
    public static ModelState Empty { get; } = new(LanguageExt.Map<ParamKey, Tensor>.Empty);

    /// <summary>The state array <paramref name="key"/>; a missing one is an error naming what the state holds.</summary>
    public Tensor this[ParamKey key] =>
        Values.Find(key).IfNoneUnsafe((Tensor?)null)
        ?? throw new KeyNotFoundException(
            $"no state array '{key}'; the model state has: {string.Join(", ", Values.Keys)} (build it with Network.InitState())"
        );

    /// <summary>The state array (<paramref name="layer"/>, <paramref name="name"/>).</summary>
    public Tensor this[int layer, string name] => this[new ParamKey(layer, name)];

    /// <summary>This state with <paramref name="key"/> set to <paramref name="value"/> (added or replaced).</summary>
    public ModelState SetItem(ParamKey key, Tensor value) => new(Values.AddOrUpdate(key, value));
}
