using Functional.Core;
using LanguageExt;

namespace Functional.Optim;

/// <summary>Per-array optimizer state. <see cref="Buffers"/> lists its arrays in a fixed order (for checkpoints).</summary>
public interface ISlot
{
    /// <summary>The state's arrays, in the order <see cref="IRule.Restore"/> reads them back.</summary>
    Seq<Tensor> Buffers { get; }
}

/// <summary>The state of a rule that keeps none.</summary>
public sealed record NoSlot : ISlot
{
    /// <summary>The one empty state.</summary>
    public static NoSlot Instance { get; } = new();

    /// <inheritdoc/>
    public Seq<Tensor> Buffers => Seq<Tensor>.Empty;
}

/// <summary>
/// An optimizer: a rule for one array (Optimisers.jl's rule, optax's gradient transformation). <see cref="Init"/>
/// makes its state; <see cref="Apply"/> maps an incoming update (the gradient, for the first rule of a
/// <see cref="Chain"/>) to the outgoing one, which is SUBTRACTED from the parameter. Every optimizer of the library,
/// plain (<see cref="Sgd"/>, <see cref="Adam"/>, …) or composed (<see cref="Chain"/>, <see cref="AdamW"/>,
/// <see cref="ClipByGlobalNorm"/>), is an <see cref="IRule"/>, and <see cref="Optimizers"/> folds one over a
/// network's parameters.
/// </summary>
public interface IRule
{
    /// <summary>A readable name with the hyper-parameters (for reports).</summary>
    string Name { get; }

    /// <summary>How many arrays <see cref="ISlot.Buffers"/> holds (0 for stateless rules).</summary>
    int SlotSize { get; }

    /// <summary>The state before the first step, for a parameter shaped like <paramref name="param"/>.</summary>
    ISlot Init(Tensor param);

    /// <summary>
    /// The next state and the outgoing update for one array at step <paramref name="step"/>, which is 1-based: the
    /// first update of a run is step 1 (<see cref="OptState.Step"/> + 1), as bias corrections and schedules expect.
    /// </summary>
    (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step);

    /// <summary>
    /// The next state and the updated parameter <c>param − delta</c> (a fresh matrix) at the 1-based
    /// <paramref name="step"/>. The built-in rules compute it in the same pass as the delta, by the same
    /// per-element formula (same bits); this default composes <see cref="Apply"/> and the subtraction, so any rule
    /// works unchanged.
    /// </summary>
    (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step)
    {
        var (next, delta) = Apply(slot, param, grad, step);
        return (next, Slots.Subtract(param, delta));
    }

    /// <summary>Rebuilds a state from the arrays of <see cref="ISlot.Buffers"/> (loading a checkpoint).</summary>
    ISlot Restore(Seq<Tensor> buffers);

    /// <summary>
    /// True when the rule reads its inputs (parameter, gradient, state) only during a call, keeps no reference to
    /// them, and returns fresh arrays: the training loop may then hand it gradients in scratch memory that the next
    /// step reuses, and recycle the arrays of dead states. A rule that does not declare it gets fresh buffers.
    /// </summary>
    bool ForgetsInputs => false;
}

/// <summary>
/// A rule whose fresh arrays may come from a training fold's recycled memory (<see cref="Recycler"/>): every built-in
/// rule. The fold passes the pool it owns; a rule that is not one allocates as usual.
/// </summary>
internal interface IPooledRule
{
    /// <summary><see cref="IRule.Update"/> when <paramref name="subtract"/>, else <see cref="IRule.Apply"/>, with
    /// its fresh arrays taken from <paramref name="pool"/> where it holds one of the length.</summary>
    (ISlot Slot, Tensor Out) Step(ISlot slot, Tensor param, Tensor grad, long step, bool subtract, Recycler? pool);
}

/// <summary>
/// A rule with scalars that depend on the step alone (Adam's bias corrections, two integer powers): the fold asks
/// for the rule at the step once and applies that to every array, instead of working them out again per array.
/// </summary>
internal interface IStepScalars
{
    /// <summary>This rule with its step scalars worked out for <paramref name="step"/>: at that step the same bits
    /// as the rule itself; at any other step it is the rule itself.</summary>
    IRule At(long step);
}

internal static class Slots
{
    /// <summary>The update (or, not <paramref name="subtract"/>, the delta) of any rule, from the pool when the
    /// rule can take from one.</summary>
    public static (ISlot Slot, Tensor Out) Step(
        IRule rule,
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) =>
        rule is IPooledRule r ? r.Step(slot, param, grad, step, subtract, pool)
        : subtract ? rule.Update(slot, param, grad, step)
        : rule.Apply(slot, param, grad, step);

    public static T As<T>(ISlot slot, IRule rule)
        where T : ISlot =>
        slot is T t
            ? t
            : throw new ArgumentException(
                $"{rule.Name}: optimizer state of type {slot.GetType().Name} does not belong to this rule (expected {typeof(T).Name}); "
                    + "initialise the state with the same rule you update with."
            );

    public static Tensor Zeros(Tensor like) => Tensor.Zeros(like.RowCount, like.ColumnCount);

    public static Seq<Tensor> Expect(Seq<Tensor> buffers, int n, IRule rule) =>
        buffers.Count == n
            ? buffers
            : throw new ArgumentException($"{rule.Name}: expected {n} state arrays, got {buffers.Count}.");

    public static double[] D(Tensor m) => Core.Mat.Data(m);

    /// <summary>A fresh matrix shaped like <paramref name="like"/> whose every element the caller writes.</summary>
    public static (Tensor M, double[] D) Fresh(Tensor like, Recycler? pool) =>
        Core.Mat.NewReusing(like.RowCount, like.ColumnCount, pool);

    /// <summary>p − d element by element, as a fresh matrix.</summary>
    public static Tensor Subtract(Tensor param, Tensor delta)
    {
        Core.Shape.RequireSame(param, delta, "optimizer delta");
        var (r, rd) = Fresh(param, null);
        var p = D(param);
        var d = D(delta);
        for (var i = 0; i < rd.Length; i++)
            rd[i] = p[i] - d[i];
        return r;
    }
}
