using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using Functional.Training;

namespace Functional.Cli.Experiments;

/// <summary>Starting two architectures from the same Affine weights, so a comparison isolates the architecture.</summary>
public static class SharedWeights
{
    /// <summary>
    /// <paramref name="target"/>'s fresh state with its i-th Affine's W and b taken from <paramref name="source"/>'s
    /// i-th Affine (the layer indices differ once BatchNorm or Dropout layers are inserted).
    /// </summary>
    public static TrainState Start(Network source, Params sourceParams, Network target, IRule rule, Key key)
    {
        var fresh = TrainState.Start(target, rule, key);
        var from = AffineIndices(source);
        var to = AffineIndices(target);
        if (from.Length != to.Length)
            throw new ArgumentException(
                $"SharedWeights: {from.Length} Affine layers in the source, {to.Length} in the target."
            );
        var values = from.Zip(to)
            .Aggregate(
                fresh.Params.Values,
                (m, p) =>
                    m.SetItem(new ParamKey(p.Item2, "W"), sourceParams[p.Item1, "W"])
                        .SetItem(new ParamKey(p.Item2, "b"), sourceParams[p.Item1, "b"])
            );
        var ps = new Params(values);
        return fresh with { Params = ps, Opt = Optimizers.Init(rule, ps) };
    }

    static int[] AffineIndices(Network n) => [.. n.Indexed.Where(l => l.Layer is Affine).Select(l => l.Index)];
}
