namespace Functional.Core;

/// <summary>
/// The parameter and optimizer-slot arrays of a training fold's retired states, handed back to <see cref="Mat.NewReusing"/>
/// for the states that follow, so that a long run writes its new parameters into memory that is already mapped and
/// still in cache instead of into fresh garbage-collected memory at every step.
/// </summary>
/// <remarks>
/// Only <c>Train.Run</c> keeps one, because only a fold can prove that a state is dead: it hands no
/// intermediate state to anyone, so once step t+1 has returned, the arrays of state t that state t+1 does not share
/// are referenced by nothing (the run's own start state, which belongs to its caller, is never retired). A rule
/// that declares <c>IRule.ForgetsInputs</c> keeps no other reference to its inputs; any other rule
/// turns recycling off. A taken array holds stale values, like every <see cref="Mat.New"/> array, and its
/// creator writes all of it, so every result is bitwise the one fresh memory would give. The fold passes its pool to
/// the optimizer update as an argument (<c>Optimizers.UpdateReusing</c>), on the fold's own thread; nothing else sees it.
/// </remarks>
internal sealed class Recycler(IEnumerable<double[]> keep)
{
    readonly HashSet<double[]> _keep = new(keep, ReferenceEqualityComparer.Instance);
    readonly Dictionary<int, Stack<double[]>> _free = [];
    readonly HashSet<double[]> _live = new(ReferenceEqualityComparer.Instance); // reused by every Retire
    readonly Dictionary<int, int> _cap = [];

    /// <summary>A retired array of exactly <paramref name="length"/> doubles, or null when the pool holds none.</summary>
    public double[]? Take(int length) => _free.TryGetValue(length, out var s) && s.Count > 0 ? s.Pop() : null;

    /// <summary>
    /// State <paramref name="old"/> is dead now that <paramref name="next"/> exists (their arrays, as
    /// <c>Train.Run</c> lists them): the arrays of <paramref name="old"/> that <paramref name="next"/>
    /// does not share, and that the caller's start state does not hold, go to the pool, at most as many of each
    /// length as <paramref name="old"/> gives up, so a rule that takes fewer than it retires cannot grow the pool.
    /// </summary>
    public void Retire(List<double[]> old, List<double[]> next)
    {
        _live.Clear();
        foreach (var a in next)
            _live.Add(a);
        _cap.Clear();
        foreach (var a in old)
            if (Dead(a))
                _cap[a.Length] = _cap.GetValueOrDefault(a.Length) + 1;
        foreach (var a in old)
        {
            if (!Dead(a))
                continue;
            if (!_free.TryGetValue(a.Length, out var s))
                _free[a.Length] = s = new Stack<double[]>();
            if (s.Count < _cap[a.Length] && !s.Contains(a)) // arrays compare by reference
                s.Push(a);
        }
    }

    bool Dead(double[] a) => !_live.Contains(a) && !_keep.Contains(a);
}
