using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Functional.Core;
using Functional.Kernels;
using LanguageExt;
using static Functional.Optim.Lanes;
using static Functional.Optim.Slots;
using Vec = System.Runtime.Intrinsics.Vector256<double>;

namespace Functional.Optim;

/// <summary>p ← p − lr·g.</summary>
/// <param name="LearningRate">The step size lr.</param>
public sealed record Sgd(double LearningRate = 0.01) : IRule, IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"SGD(lr={LearningRate:R})";

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
        Step(slot, param, grad, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Step(slot, param, grad, subtract, pool);

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, bool subtract, Recycler? pool) =>
        (slot, Run(new Formula(LearningRate), param, grad, null, null, subtract, pool).Out);

    /// <summary>delta = lr·g.</summary>
    readonly struct Formula(double lr) : ILaneFormula
    {
        public static int Slots => 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b) => Vector256.Create(lr) * g;
    }
}

/// <summary>A velocity per array (<see cref="Momentum"/>, <see cref="Nesterov"/>).</summary>
/// <param name="V">The velocity.</param>
public sealed record VelocitySlot(Tensor V) : ISlot
{
    /// <inheritdoc/>
    public Seq<Tensor> Buffers => Prelude.Seq1(V); // not [V]: a collection expression builds an empty immutable Seq
}

/// <summary>The book's Momentum: v ← ρv − lr·g; p ← p + v. Stored here with the sign flipped (delta = −v).</summary>
/// <param name="LearningRate">The step size lr.</param>
/// <param name="Rho">The velocity's decay ρ.</param>
public sealed record Momentum(double LearningRate = 0.01, double Rho = 0.9) : IRule, IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"Momentum(lr={LearningRate:R}, rho={Rho:R})";

    /// <inheritdoc/>
    public int SlotSize => 1;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => new VelocitySlot(Zeros(param));

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> b) => new VelocitySlot(Expect(b, 1, this)[0]);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Step(slot, param, grad, subtract, pool);

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, bool subtract, Recycler? pool)
    {
        var (v, _, o) = Run(
            new Formula(Rho, LearningRate),
            param,
            grad,
            As<VelocitySlot>(slot, this).V,
            null,
            subtract,
            pool
        );
        return (new VelocitySlot(v!), o);
    }

    /// <summary>v' = ρv + lr·g (the book's −v); delta = v'.</summary>
    readonly struct Formula(double rho, double lr) : ILaneFormula
    {
        public static int Slots => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b) => a = Vector256.Create(rho) * a + Vector256.Create(lr) * g;
    }
}

/// <summary>
/// Nesterov's accelerated gradient in the book's form: v ← ρv − lr·g; p ← p + ρ²v − (1+ρ)·lr·g
/// (written as delta = −ρ²v' + (1+ρ)·lr·g, v kept with the book's sign).
/// </summary>
/// <param name="LearningRate">The step size lr.</param>
/// <param name="Rho">The velocity's decay ρ.</param>
public sealed record Nesterov(double LearningRate = 0.01, double Rho = 0.9) : IRule, IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"Nesterov(lr={LearningRate:R}, rho={Rho:R})";

    /// <inheritdoc/>
    public int SlotSize => 1;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => new VelocitySlot(Zeros(param));

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> b) => new VelocitySlot(Expect(b, 1, this)[0]);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Step(slot, param, grad, subtract, pool);

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, bool subtract, Recycler? pool)
    {
        var f = new Formula(Rho, LearningRate, Rho * Rho, (1 + Rho) * LearningRate);
        var (v, _, o) = Run(f, param, grad, As<VelocitySlot>(slot, this).V, null, subtract, pool);
        return (new VelocitySlot(v!), o);
    }

    /// <summary>v' = ρv − lr·g; delta = −(ρ²·v') + ((1+ρ)·lr)·g.</summary>
    readonly struct Formula(double rho, double lr, double rho2, double lead) : ILaneFormula
    {
        public static int Slots => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b)
        {
            a = Vector256.Create(rho) * a - Vector256.Create(lr) * g;
            return Negate(Vector256.Create(rho2) * a) + Vector256.Create(lead) * g;
        }
    }
}

/// <summary>A running sum or average of squared gradients per array (<see cref="AdaGrad"/>, <see cref="RmsProp"/>).</summary>
/// <param name="H">The running sum or average.</param>
public sealed record SquareSumSlot(Tensor H) : ISlot
{
    /// <inheritdoc/>
    public Seq<Tensor> Buffers => Prelude.Seq1(H);
}

/// <summary>AdaGrad: h ← h + g²; p ← p − lr·g/(√h + ε), ε = 1e-7 as in the book.</summary>
/// <param name="LearningRate">The step size lr.</param>
/// <param name="Epsilon">ε, added to √h.</param>
public sealed record AdaGrad(double LearningRate = 0.01, double Epsilon = 1e-7) : IRule, IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"AdaGrad(lr={LearningRate:R})";

    /// <inheritdoc/>
    public int SlotSize => 1;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => new SquareSumSlot(Zeros(param));

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> b) => new SquareSumSlot(Expect(b, 1, this)[0]);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Step(slot, param, grad, subtract, pool);

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, bool subtract, Recycler? pool)
    {
        var f = new Formula(LearningRate, Epsilon);
        var (h, _, o) = Run(f, param, grad, As<SquareSumSlot>(slot, this).H, null, subtract, pool);
        return (new SquareSumSlot(h!), o);
    }

    /// <summary>h' = h + g·g; delta = lr·g/(√h' + ε).</summary>
    readonly struct Formula(double lr, double eps) : ILaneFormula
    {
        public static int Slots => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b)
        {
            a += g * g;
            return Vector256.Create(lr) * g / (Vector256.Sqrt(a) + Vector256.Create(eps));
        }
    }
}

/// <summary>RMSprop: h ← ρh + (1−ρ)g²; p ← p − lr·g/(√h + ε); the book's decay 0.99, ε 1e-7.</summary>
/// <param name="LearningRate">The step size lr.</param>
/// <param name="Decay">The running average's decay ρ.</param>
/// <param name="Epsilon">ε, added to √h.</param>
public sealed record RmsProp(double LearningRate = 0.01, double Decay = 0.99, double Epsilon = 1e-7)
    : IRule,
        IPooledRule
{
    /// <inheritdoc/>
    public string Name => $"RMSprop(lr={LearningRate:R}, decay={Decay:R})";

    /// <inheritdoc/>
    public int SlotSize => 1;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => new SquareSumSlot(Zeros(param));

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> b) => new SquareSumSlot(Expect(b, 1, this)[0]);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Step(slot, param, grad, subtract, pool);

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, bool subtract, Recycler? pool)
    {
        var f = new Formula(LearningRate, Epsilon, Decay);
        var (h, _, o) = Run(f, param, grad, As<SquareSumSlot>(slot, this).H, null, subtract, pool);
        return (new SquareSumSlot(h!), o);
    }

    /// <summary>h' = ρ·h + ((1−ρ)·g)·g; delta = lr·g/(√h' + ε).</summary>
    readonly struct Formula(double lr, double eps, double decay) : ILaneFormula
    {
        public static int Slots => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b)
        {
            a = Vector256.Create(decay) * a + Vector256.Create(1 - decay) * g * g;
            return Vector256.Create(lr) * g / (Vector256.Sqrt(a) + Vector256.Create(eps));
        }
    }
}
