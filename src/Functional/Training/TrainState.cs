using Functional.Core;
using Functional.Models;
using Functional.Optim;

namespace Functional.Training;

/// <summary>
/// Everything a run needs to continue, in one immutable record: parameters, BatchNorm statistics, optimizer
/// state, the run's root key and the number of steps taken. Every random draw of step s comes from
/// <c>Key.FoldIn(purpose).FoldIn(s)</c>, so resuming at step k needs no replay.
/// </summary>
public sealed record TrainState(Params Params, ModelState Model, OptState Opt, Key Key, long Step)
{
    /// <summary>A fresh run: parameters from <c>key/init</c>, zero optimizer state, step 0.</summary>
    public static TrainState Start(Network net, IRule rule, Key key)
    {
        var ps = net.Init(key.FoldIn(KeyPurpose.Init));
        return new TrainState(ps, net.InitState(), Optimizers.Init(rule, ps), key, 0);
    }
}

/// <summary>The fixed sub-keys of a run's root key, one per purpose, so that one never shifts another.</summary>
public static class KeyPurpose
{
    /// <summary>Parameter initialisation.</summary>
    public const ulong Init = 1;

    /// <summary>Batch sampling (<see cref="Training.Batches"/>).</summary>
    public const ulong Batches = 2;

    /// <summary>Dropout masks, further folded with the step.</summary>
    public const ulong Dropout = 3;

    /// <summary>The train/validation split.</summary>
    public const ulong Split = 4;
}
