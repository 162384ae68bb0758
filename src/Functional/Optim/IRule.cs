using LanguageExt;

namespace Functional.Optim;

/// <summary>Per-array optimizer state. <see cref="Buffers"/> lists its arrays in a fixed order (for checkpoints).</summary>
public interface ISlot
{
    Seq<Matrix> Buffers { get; }
}

/// <summary>The state of a rule that keeps none.</summary>
public sealed record NoSlot : ISlot
{
    public static NoSlot Instance { get; } = new();
    public Seq<Matrix> Buffers => Seq<Matrix>.Empty;
}

/// <summary>
/// An optimisation rule for one array (Optimisers.jl's rule, optax's transformation): <see cref="Init"/> makes
/// its state, <see cref="Apply"/> returns the next state and the delta that is SUBTRACTED from the parameter.
/// </summary>
public interface IRule
{
    string Name { get; }

    /// <summary>How many arrays <see cref="ISlot.Buffers"/> holds (0 for stateless rules).</summary>
    int SlotSize { get; }
    ISlot Init(Matrix param);
    (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step);

    /// <summary>
    /// The next state and the updated parameter <c>param − delta</c> (a fresh matrix), which is what
    /// <see cref="Optim.Update(IRule, OptState, Params, Grads)"/> needs. The built-in rules compute it in one pass
    /// without materialising the delta (same expressions, same bits); this default composes <see cref="Apply"/>
    /// and the subtraction, so any rule works unchanged.
    /// </summary>
    (ISlot Slot, Matrix Param) Update(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var (next, delta) = Apply(slot, param, grad, step);
        return (next, Slots.Subtract(param, delta));
    }

    /// <summary>Rebuilds a state from the arrays of <see cref="ISlot.Buffers"/> (loading a checkpoint).</summary>
    ISlot Restore(Seq<Matrix> buffers);
}

internal static class Slots
{
    public static T As<T>(ISlot slot, IRule rule)
        where T : ISlot =>
        slot is T t
            ? t
            : throw new ArgumentException(
                $"{rule.Name}: optimizer state of type {slot.GetType().Name} does not belong to this rule (expected {typeof(T).Name}); "
                    + "initialise the state with the same rule you update with."
            );

    public static Matrix Zeros(Matrix like) => Matrix.Zeros(like.RowCount, like.ColumnCount);

    public static Seq<Matrix> Expect(Seq<Matrix> buffers, int n, IRule rule) =>
        buffers.Count == n
            ? buffers
            : throw new ArgumentException($"{rule.Name}: expected {n} state arrays, got {buffers.Count}.");

    public static double[] D(Matrix m) => Core.Mat.Data(m);

    /// <summary>A fresh matrix shaped like <paramref name="like"/> whose every element the caller writes.</summary>
    public static (Matrix M, double[] D) Fresh(Matrix like) => Core.Mat.New(like.RowCount, like.ColumnCount);

    /// <summary>p − d element by element, as a fresh matrix.</summary>
    public static Matrix Subtract(Matrix param, Matrix delta)
    {
        Core.Shape.RequireSame(param, delta, "optimizer delta");
        var (r, rd) = Fresh(param);
        var p = D(param);
        var d = D(delta);
        for (var i = 0; i < rd.Length; i++)
            rd[i] = p[i] - d[i];
        return r;
    }
}
