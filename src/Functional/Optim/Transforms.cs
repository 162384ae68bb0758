using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Functional.Core;
using LanguageExt;
using static Functional.Optim.Lanes;
using static Functional.Optim.Slots;
using Vec = System.Runtime.Intrinsics.Vector256<double>;

namespace Functional.Optim;

/// <summary>
/// Adds decayed weights: u ← u + λ·p (optax's add_decayed_weights). Chained before a rule it is L2 weight decay
/// (the book's dW + λW); chained after one it is decoupled decay (<see cref="AdamW"/>).
/// </summary>
/// <param name="Lambda">The factor λ of the parameter.</param>
public sealed record WeightDecay(double Lambda) : IRule, IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"WeightDecay({Lambda:R})";

    /// <inheritdoc/>
    public int SlotSize => 0;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => NoSlot.Instance;

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> buffers)
    {
        Expect(buffers, 0, this);
        return NoSlot.Instance;
    }

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        ((IPooledRule)this).Step(slot, param, grad, step, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        ((IPooledRule)this).Step(slot, param, grad, step, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => (slot, Run(new Formula(Lambda), param, grad, null, null, subtract, pool).Out);

    /// <summary>delta = u + λ·p.</summary>
    readonly struct Formula(double lambda) : ILaneFormula
    {
        public static int Slots => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b) => g + Vector256.Create(lambda) * p;
    }
}

/// <summary>Scales the incoming update by a schedule's factor at this step (optax's scale_by_schedule).</summary>
/// <param name="Schedule">The factor as a function of the 1-based step.</param>
public sealed record ScaleBySchedule(LearningRateSchedule Schedule) : IRule, IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"Schedule({Schedule})";

    /// <inheritdoc/>
    public int SlotSize => 0;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => NoSlot.Instance;

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> buffers)
    {
        Expect(buffers, 0, this);
        return NoSlot.Instance;
    }

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        ((IPooledRule)this).Step(slot, param, grad, step, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        ((IPooledRule)this).Step(slot, param, grad, step, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => (slot, Run(new Formula(Schedule.Factor(step)), param, grad, null, null, subtract, pool).Out);

    /// <summary>delta = u·f.</summary>
    readonly struct Formula(double f) : ILaneFormula
    {
        public static int Slots => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b) => g * Vector256.Create(f);
    }
}

/// <summary>
/// Scales every incoming update by min(1, max/‖u‖), ‖u‖ over all arrays together (optax's clip_by_global_norm).
/// The norm needs the whole tree, so this link runs only inside <see cref="Optimizers.Update"/>; its per-array
/// <see cref="Apply"/> refuses.
/// </summary>
/// <param name="Max">The largest global norm let through.</param>
public sealed record ClipByGlobalNorm(double Max) : IRule
{
    /// <inheritdoc/>
    public string Name => $"clip(‖g‖≤{Max:R})";

    /// <inheritdoc/>
    public int SlotSize => 0;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => NoSlot.Instance;

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> buffers)
    {
        Expect(buffers, 0, this);
        return NoSlot.Instance;
    }

    /// <summary>Refuses: one array does not hold the global norm (use <see cref="Optimizers.Update"/>).</summary>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        throw new InvalidOperationException(
            $"{Name} needs every array at once: update with Optimizers.Update, not one array at a time."
        );

    /// <summary>√(Σ‖u‖²) over every array, summed in key order.</summary>
    public static double Norm(Grads gs) => Math.Sqrt(gs.Values.Fold(0.0, (s, _, g) => s + Mat.SumOfSquares(g)));

    /// <summary>The updates scaled by max/‖u‖ when the norm exceeds <see cref="Max"/>, else the same value.</summary>
    public Grads Clip(Grads gs)
    {
        var norm = Norm(gs);
        return norm <= Max ? gs : new Grads(gs.Values.Map(g => g * (Max / norm)));
    }
}

/// <summary>The states of a <see cref="Chain"/>'s two links.</summary>
/// <param name="First">The first link's state.</param>
/// <param name="Then">The second link's state.</param>
public sealed record ChainSlot(ISlot First, ISlot Then) : ISlot
{
    /// <inheritdoc/>
    public Seq<Tensor> Buffers => First.Buffers + Then.Buffers;
}

/// <summary>Two rules in sequence: the delta of <see cref="First"/> is the update seen by <see cref="Then"/>
/// (Optimisers.jl's OptimiserChain, optax's chain).</summary>
/// <param name="First">The link applied first (to the gradient).</param>
/// <param name="Then">The link applied to the first one's output; its delta is subtracted from the parameter.</param>
public sealed record Chain(IRule First, IRule Then) : IRule, IPooledRule, IStepScalars
{
    IRule IStepScalars.At(long step)
    {
        var (first, then) = (AtStep(First, step), AtStep(Then, step));
        return ReferenceEquals(first, First) && ReferenceEquals(then, Then) ? this : new Chain(first, then);
    }

    static IRule AtStep(IRule rule, long step) => rule is IStepScalars s ? s.At(step) : rule;

    /// <inheritdoc/>
    public string Name => $"{First.Name} → {Then.Name}";

    /// <inheritdoc/>
    public int SlotSize => First.SlotSize + Then.SlotSize;

    /// <summary>True when both links declare it.</summary>
    public bool ForgetsInputs => First.ForgetsInputs && Then.ForgetsInputs;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => new ChainSlot(First.Init(param), Then.Init(param));

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> buffers)
    {
        Expect(buffers, SlotSize, this);
        return new ChainSlot(First.Restore(buffers.Take(First.SlotSize)), Then.Restore(buffers.Skip(First.SlotSize)));
    }

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step)
    {
        var s = As<ChainSlot>(slot, this);
        var (s1, d1) = First.Apply(s.First, param, grad, step);
        var (s2, d2) = Then.Apply(s.Then, param, d1, step);
        return (new ChainSlot(s1, s2), d2);
    }

    /// <summary>The first link's delta, then the second link's one-pass update with it.</summary>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step)
    {
        var s = As<ChainSlot>(slot, this);
        var (s1, d1) = First.Apply(s.First, param, grad, step);
        var (s2, p) = Then.Update(s.Then, param, d1, step);
        return (new ChainSlot(s1, s2), p);
    }

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    )
    {
        var s = As<ChainSlot>(slot, this);
        var (s1, d1) = Slots.Step(First, s.First, param, grad, step, false, pool);
        var (s2, o) = Slots.Step(Then, s.Then, param, d1, step, subtract, pool);
        return (new ChainSlot(s1, s2), o);
    }

    /// <summary>Left fold of any number of rules into nested chains.</summary>
    public static IRule Of(params IRule[] rules) =>
        rules.Length switch
        {
            0 => throw new ArgumentException("Chain.Of needs at least one rule"),
            _ => rules.Skip(1).Aggregate(rules[0], (acc, r) => new Chain(acc, r)),
        };
}
