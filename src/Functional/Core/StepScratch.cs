namespace Functional.Core;

/// <summary>
/// The arrays of one training step's intermediates (activations, their gradients and, for the built-in optimizer
/// rules, the parameter gradients), handed out in the order they are asked for and, after <see cref="Reset"/>,
/// handed out again in the same order to the next step.
/// </summary>
/// <remarks>
/// Owned by one training loop (<c>Train.Steps</c>) and used by one step at a time. Nothing handed
/// out outlives its step: the step returns fresh parameters, optimizer slots and model state, and the loop resets
/// the scratch before each step, once its predecessor has returned (docs/ARCHITECTURE.md, "Buffers the training loop
/// owns"). Like
/// <see cref="Mat.New"/>'s uninitialised arrays, a handed-out array holds stale values and its user overwrites
/// all of it. A request whose shape differs from the previous step's at the same position (a short last batch)
/// gets a new array.
/// </remarks>
internal sealed class StepScratch
{
    readonly List<Tensor> _slots = [];
    int _next;
    DeferredRows? _deferred;

    /// <summary>The next array of this step, <paramref name="rows"/>×<paramref name="cols"/>, column-major.</summary>
    public (Tensor M, double[] D) Next(int rows, int cols)
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
    public void Reset()
    {
        _next = 0;
        _deferred = null; // a batch nobody read is never written
    }

    /// <summary>Keeps a batch whose copy is owed to one of this step's arrays
    /// (<see cref="Mat.RowsDeferred(Tensor, int[], StepScratch)"/>).</summary>
    public void Defer(DeferredRows rows)
    {
        _deferred?.Fill();
        _deferred = rows;
    }

    /// <summary>
    /// The deferred batch owed to <paramref name="x"/>'s storage, handed over once (null when there is none): the
    /// taker writes it before anything reads <paramref name="x"/>, by a product that packs from it or by
    /// <see cref="DeferredRows.Fill"/>.
    /// </summary>
    public DeferredRows? TakeDeferred(Tensor x)
    {
        if (_deferred is not { } d || !ReferenceEquals(d.Target, Mat.Data(x)))
            return null;
        _deferred = null;
        return d;
    }

    /// <summary>From <paramref name="scratch"/> when there is one, otherwise a fresh uninitialised array.</summary>
    public static (Tensor M, double[] D) New(StepScratch? scratch, int rows, int cols) =>
        scratch is null ? Mat.New(rows, cols) : scratch.Next(rows, cols);
}
