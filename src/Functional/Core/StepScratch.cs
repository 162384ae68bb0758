namespace Functional.Core;

/// <summary>
/// The arrays of one training step's intermediates (activations, their gradients and, for the built-in optimizer
/// rules, the parameter gradients), handed out in the order they are asked for and, after <see cref="Reset"/>,
/// handed out again in the same order to the next step.
/// </summary>
/// <remarks>
/// Owned by one training loop (<see cref="Training.Train.Steps"/>) and used by one step at a time. Nothing handed
/// out outlives its step: the step returns fresh parameters, optimizer slots and model state, and the loop resets
/// the scratch before each step, once its predecessor has returned (docs/ARCHITECTURE.md, "Buffers the training loop
/// owns"). Like
/// <see cref="Mat.New"/>'s uninitialised arrays, a handed-out array holds stale values and its user overwrites
/// all of it. A request whose shape differs from the previous step's at the same position (a short last batch)
/// gets a new array.
/// </remarks>
internal sealed class StepScratch
{
    readonly List<Matrix> _slots = [];
    int _next;

    /// <summary>The next array of this step, <paramref name="rows"/>×<paramref name="cols"/>, column-major.</summary>
    public (Matrix M, double[] D) Next(int rows, int cols)
    {
        if (_next < _slots.Count && _slots[_next] is var m && m.RowCount == rows && m.ColumnCount == cols)
        {
            _next++;
            return (m, Mat.Data(m));
        }
        var fresh = Mat.New(rows, cols);
        if (_next < _slots.Count)
            _slots[_next] = fresh.M;
        else
            _slots.Add(fresh.M);
        _next++;
        return fresh;
    }

    /// <summary>The step is over and nothing it was handed is used any more: start again from the first array.</summary>
    public void Reset() => _next = 0;

    /// <summary>From <paramref name="scratch"/> when there is one, otherwise a fresh uninitialised array.</summary>
    public static (Matrix M, double[] D) New(StepScratch? scratch, int rows, int cols) =>
        scratch is null ? Mat.New(rows, cols) : scratch.Next(rows, cols);
}
