using System.Collections.Immutable;
using Functional.Core;
using Functional.Models;

namespace Functional.Interop;

/// <summary>One array a network owns: a parameter or a model-state array (running statistics) of one layer, with
/// the shape the network expects and the name it has in an exported file.</summary>
/// <param name="Key">The layer index and the array's name in <see cref="Params"/> or <see cref="ModelState"/>.</param>
/// <param name="IsState">True for a model-state array.</param>
/// <param name="Kind">The layer's kind ("affine", "batchnorm").</param>
/// <param name="Dims">The expected extents.</param>
internal sealed record OwnedArray(ParamKey Key, bool IsState, string Kind, ImmutableArray<int> Dims)
{
    /// <summary>"0.affine.W", "1.batchnorm.gamma", "1.batchnorm.running_mean": layer, kind and role.</summary>
    public string FileName => $"{Key.Layer}.{Kind}.{(IsState ? "running_" : "")}{Key.Name}";

    /// <summary>"2×3".</summary>
    public static string ShapeText(IEnumerable<int> dims) => string.Join('×', dims);
}

/// <summary>The arrays of a network, in the order of its parameters then its state, and the check that a
/// <see cref="Params"/> and <see cref="ModelState"/> hold exactly those.</summary>
internal static class ModelArrays
{
    /// <summary>Every array <paramref name="net"/> owns, with the shapes its layers declare.</summary>
    public static IReadOnlyList<OwnedArray> Of(Network net)
    {
        var shapes = net.Init(Key.Of(0)); // only the shapes are used
        var kinds = net.Layers.Map(l => l.Kind).ToArray();
        return
        [
            .. shapes.Values.AsEnumerable().Select(p => new OwnedArray(p.Key, false, kinds[p.Key.Layer], p.Value.Dims)),
            .. net.InitState()
                .Values.AsEnumerable()
                .Select(p => new OwnedArray(p.Key, true, kinds[p.Key.Layer], p.Value.Dims)),
        ];
    }

    /// <summary>The array of <paramref name="a"/> in <paramref name="ps"/> or <paramref name="st"/>, or null.</summary>
    public static Tensor? Find(OwnedArray a, Params ps, ModelState st) =>
        (a.IsState ? st.Values : ps.Values).Find(a.Key).IfNoneUnsafe((Tensor?)null);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first array that is missing, extra or of another
    /// shape than <paramref name="net"/> declares.</summary>
    public static IReadOnlyList<OwnedArray> Require(Network net, Params ps, ModelState st, string context)
    {
        var owned = Of(net);
        foreach (var a in owned)
        {
            var t =
                Find(a, ps, st)
                ?? throw new ArgumentException(
                    $"{context}: {(a.IsState ? "the model state" : "the parameters")} lack '{a.Key}' ({a.FileName})"
                );
            if (!t.Dims.SequenceEqual(a.Dims))
                throw new ArgumentException(
                    $"{context}: '{a.Key}' is {t.ShapeText}, the network expects {OwnedArray.ShapeText(a.Dims)}"
                );
        }
        var extra = ps
            .Values.Keys.Where(k => !owned.Any(a => !a.IsState && a.Key == k))
            .Select(k => $"parameter '{k}'")
            .Concat(st.Values.Keys.Where(k => !owned.Any(a => a.IsState && a.Key == k)).Select(k => $"state '{k}'"))
            .FirstOrDefault();
        if (extra is not null)
            throw new ArgumentException($"{context}: {extra} is not part of the network");
        return owned;
    }
}
