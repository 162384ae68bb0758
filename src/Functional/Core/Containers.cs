using LanguageExt;

namespace Functional.Core;

/// <summary>Trainable arrays of a network, keyed by (layer, name). Biases are 1×n matrices so every entry has one type.</summary>
public sealed record Params(Map<ParamKey, Matrix> Values)
{
    public static Params Empty { get; } = new(LanguageExt.Map<ParamKey, Matrix>.Empty);
    public Matrix this[ParamKey key] =>
        Values.Find(key).IfNoneUnsafe((Matrix?)null)
        ?? throw new KeyNotFoundException($"no parameter '{key}'; the network has: {string.Join(", ", Values.Keys)}");
    public Matrix this[int layer, string name] => this[new ParamKey(layer, name)];
    public int Count => Values.Count;
    public long Size => Values.Values.Sum(m => (long)m.RowCount * m.ColumnCount);
}

/// <summary>Gradients, shaped like <see cref="Params"/> but a distinct type so the two can never be swapped.</summary>
public sealed record Grads(Map<ParamKey, Matrix> Values)
{
    public static Grads Empty { get; } = new(LanguageExt.Map<ParamKey, Matrix>.Empty);
    public Matrix this[ParamKey key] =>
        Values.Find(key).IfNoneUnsafe((Matrix?)null) ?? throw new KeyNotFoundException($"no gradient for '{key}'");
    public Matrix this[int layer, string name] => this[new ParamKey(layer, name)];
}

/// <summary>Running statistics of one BatchNorm layer (1×features each).</summary>
public sealed record BatchNormStats(Matrix RunningMean, Matrix RunningVar);

/// <summary>Non-trainable state of a network: BatchNorm running statistics keyed by layer index.</summary>
public sealed record ModelState(Map<int, BatchNormStats> BatchNorm)
{
    public static ModelState Empty { get; } = new(LanguageExt.Map<int, BatchNormStats>.Empty);
}
