using Functional.Core;

namespace Functional.Layers;

/// <summary>A named array of one layer (a parameter, a gradient or a state array).</summary>
/// <param name="Name">The name under the layer's index (<c>"W"</c>, <c>"gamma"</c>, <c>"mean"</c>).</param>
/// <param name="Value">The array.</param>
public readonly record struct NamedArray(string Name, Tensor Value);

/// <summary>The name and shape of one array a layer owns.</summary>
/// <param name="Name">The name under the layer's index.</param>
/// <param name="Rows">Rows (1 for a per-feature vector).</param>
/// <param name="Columns">Columns.</param>
public readonly record struct ArrayShape(string Name, int Rows, int Columns)
{
    /// <summary>Rows × columns.</summary>
    public long Size => (long)Rows * Columns;
}

/// <summary>One layer's view of a network's parameters: its index and its arrays by name.</summary>
/// <param name="All">Every parameter of the network.</param>
/// <param name="Index">The layer's position in the network (its <see cref="ParamKey.Layer"/>).</param>
public readonly record struct LayerParams(Params All, int Index)
{
    /// <summary>The layer's array <paramref name="name"/>.</summary>
    public Tensor this[string name] => All[Index, name];
}

/// <summary>One layer's view of a network's model state: its index and its state arrays by name.</summary>
/// <param name="All">The network's whole model state.</param>
/// <param name="Index">The layer's position in the network.</param>
public readonly record struct LayerState(ModelState All, int Index)
{
    /// <summary>The layer's state array <paramref name="name"/>.</summary>
    public Tensor this[string name] => All[Index, name];
}

/// <summary>A layer's forward result.</summary>
/// <param name="Y">The output batch.</param>
/// <param name="Cache">What backward needs.</param>
/// <param name="State">The state arrays that changed (null when none did).</param>
public sealed record LayerForward(Tensor Y, LayerCache Cache, IReadOnlyList<NamedArray>? State = null);

/// <summary>A layer's backward result.</summary>
/// <param name="Dx">The gradient with respect to the layer's input.</param>
/// <param name="Grads">The gradient of each trainable array, by the array's name.</param>
public sealed record LayerBackward(Tensor Dx, IReadOnlyList<NamedArray> Grads);

/// <summary>
/// Where the network's backward fold collects parameter gradients: one array for the whole network, filled from
/// the back (the last layer first), so the gradients end in key order without a sort.
/// </summary>
internal ref struct GradSink((ParamKey, Tensor)[] pairs)
{
    int _next = pairs.Length;

    /// <summary>Prepends the gradient of (<paramref name="layer"/>, <paramref name="name"/>); a layer adds its arrays
    /// in descending name order.</summary>
    public void Add(int layer, string name, Tensor m)
    {
        if (_next == 0)
            throw new ArgumentException(
                $"layer {layer}: its backward returned more gradients than its ParamShapes declare (at '{name}')."
            );
        pairs[--_next] = (new ParamKey(layer, name), m);
    }

    /// <summary>Entries added so far are at [<see cref="Next"/>, length).</summary>
    public readonly int Next => _next;

    /// <summary>The gradients, once every layer has added its own.</summary>
    public readonly Grads ToGrads() => new(new LanguageExt.Map<ParamKey, Tensor>(pairs));
}
