using LanguageExt;

namespace Functional.Optim;

/// <summary>L2 weight decay as a gradient transformation: g ← g + λ·p (chain it before a rule: the book's dW + λW).</summary>
public sealed record WeightDecay(double Lambda) : IRule
{
    public string Name => $"WeightDecay({Lambda:R})";
    public int SlotSize => 0;

    public ISlot Init(Matrix param) => NoSlot.Instance;

    public ISlot Restore(Seq<Matrix> buffers)
    {
        Slots.Expect(buffers, 0, this);
        return NoSlot.Instance;
    }

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step) =>
        (slot, grad + param * Lambda);
}

/// <summary>Scales the incoming delta by a schedule's factor at this step (optax's scale_by_schedule).</summary>
public sealed record ScaleBySchedule(LearningRateSchedule Schedule) : IRule
{
    public string Name => $"Schedule({Schedule})";
    public int SlotSize => 0;

    public ISlot Init(Matrix param) => NoSlot.Instance;

    public ISlot Restore(Seq<Matrix> buffers)
    {
        Slots.Expect(buffers, 0, this);
        return NoSlot.Instance;
    }

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var f = Schedule.Factor(step);
        return (slot, f == 1.0 ? grad : grad * f);
    }
}

public sealed record ChainSlot(ISlot First, ISlot Then) : ISlot
{
    public Seq<Matrix> Buffers => First.Buffers + Then.Buffers;
}

/// <summary>Two rules in sequence: the delta of <see cref="First"/> is the gradient seen by <see cref="Then"/>
/// (Optimisers.jl's OptimiserChain, optax's chain).</summary>
public sealed record Chain(IRule First, IRule Then) : IRule
{
    public string Name => $"{First.Name} → {Then.Name}";
    public int SlotSize => First.SlotSize + Then.SlotSize;

    public ISlot Init(Matrix param) => new ChainSlot(First.Init(param), Then.Init(param));

    public ISlot Restore(Seq<Matrix> buffers)
    {
        Slots.Expect(buffers, SlotSize, this);
        return new ChainSlot(First.Restore(buffers.Take(First.SlotSize)), Then.Restore(buffers.Skip(First.SlotSize)));
    }

    public (ISlot Slot, Matrix Delta) Apply(ISlot slot, Matrix param, Matrix grad, long step)
    {
        var s = Slots.As<ChainSlot>(slot, this);
        var (s1, d1) = First.Apply(s.First, param, grad, step);
        var (s2, d2) = Then.Apply(s.Then, param, d1, step);
        return (new ChainSlot(s1, s2), d2);
    }

    /// <summary>Left fold of any number of rules into nested chains.</summary>
    public static IRule Of(params IRule[] rules) =>
        rules.Length switch
        {
            0 => throw new ArgumentException("Chain.Of needs at least one rule"),
            _ => rules.Skip(1).Aggregate(rules[0], (acc, r) => new Chain(acc, r)),
        };
}

/// <summary>Learning-rate schedules as pure functions of the step number (a multiplier of the base rate).</summary>
public abstract record LearningRateSchedule
{
    public abstract double Factor(long step);

    public sealed record Constant : LearningRateSchedule
    {
        public override double Factor(long step) => 1.0;

        public override string ToString() => "constant";
    }

    /// <summary>×<see cref="Gamma"/> every <see cref="Every"/> steps.</summary>
    public sealed record StepDecay(long Every, double Gamma) : LearningRateSchedule
    {
        public override double Factor(long step) => Math.Pow(Gamma, (step - 1) / Every);

        public override string ToString() => $"step(every {Every}, ×{Gamma:R})";
    }

    /// <summary>Cosine from 1 down to <see cref="Floor"/> over <see cref="Total"/> steps, then flat.</summary>
    public sealed record Cosine(long Total, double Floor = 0.0) : LearningRateSchedule
    {
        public override double Factor(long step)
        {
            var t = Math.Min(step - 1, Total) / (double)Total;
            return Floor + (1 - Floor) * 0.5 * (1 + Math.Cos(Math.PI * t));
        }

        public override string ToString() => $"cosine({Total}, floor {Floor:R})";
    }
}
