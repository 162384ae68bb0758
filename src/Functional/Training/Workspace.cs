using Functional.Core;

namespace Functional.Training;

/// <summary>
/// The memory a training loop rewrites from one step to the next, owned by whoever holds it: the arrays of each
/// step's batch and intermediates (activations, their gradients and, for a rule that declares
/// <see cref="Optim.IRule.ForgetsInputs"/>, the parameter gradients). Pass one to <see cref="Train.Steps"/>,
/// <see cref="Train.Run(Models.Network, Optim.IRule, TrainState, Data.Dataset, Batches, long, Workspace?, GcPacing, CancellationToken)"/>
/// or <see cref="Train.Epochs"/> to keep it from one call to the next; a loop given none makes its own.
/// </summary>
/// <remarks>
/// Its arrays never appear in a result: every state a loop returns holds fresh arrays (or, inside
/// <see cref="Train.Run(Models.Network, Optim.IRule, TrainState, Data.Dataset, Batches, long, Workspace?, GcPacing, CancellationToken)"/>,
/// arrays of states the fold has proved dead), so what a workspace held never changes a value, only where the
/// intermediates are written. Because a loop rewrites it at every step, a workspace serves one loop at a time:
/// a second loop that enters it while another is running throws <see cref="InvalidOperationException"/>.
/// </remarks>
public sealed class Workspace
{
    int _busy;

    internal StepScratch Scratch { get; } = new();

    /// <summary>Claims the workspace for one loop until the returned lease is disposed.</summary>
    internal Lease Enter() =>
        Interlocked.Exchange(ref _busy, 1) == 0
            ? new Lease(this)
            : throw new InvalidOperationException(
                "this Workspace is in use by another training loop; give each concurrent loop its own Workspace."
            );

    /// <summary>The claim of one loop; disposing it frees the workspace (also when the loop throws or stops early).</summary>
    internal readonly struct Lease(Workspace w) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref w._busy, 0);
    }
}
