using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Functional.Core;
using LanguageExt;
using static Functional.Optim.Lanes;
using static Functional.Optim.Slots;
using Vec = System.Runtime.Intrinsics.Vector256<double>;

namespace Functional.Optim;

/// <summary>Adam's first and second moments per array.</summary>
/// <param name="M">The running mean of the gradient.</param>
/// <param name="V">The running mean of its square.</param>
public sealed record AdamSlot(Tensor M, Tensor V) : ISlot
{
    /// <inheritdoc/>
    public Seq<Tensor> Buffers => Prelude.Seq(M, V);
}

/// <summary>
/// Adam (optax's scale_by_adam with the learning rate inside). Two presets differ numerically and are named:
/// <see cref="Dlfs"/> (the book's common/optimizer.py: bias correction folded into lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ),
/// ε 1e-7 added to √v) and <see cref="Standard"/> (Kingma &amp; Ba / Flux: corrected m̂ and v̂, ε 1e-8 added to √v̂).
/// </summary>
/// <param name="LearningRate">The step size lr.</param>
/// <param name="Beta1">The first moment's decay β₁.</param>
/// <param name="Beta2">The second moment's decay β₂.</param>
/// <param name="Epsilon">ε, added to the square root of the second moment.</param>
/// <param name="FoldedBiasCorrection">True: the book's lr_t form; false: corrected m̂ and v̂.</param>
public sealed record Adam(
    double LearningRate = 0.001,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-7,
    bool FoldedBiasCorrection = true
) : IRule, IPooledRule, IStepScalars
{
    /// <summary>The book's Adam (folded bias correction, ε 1e-7).</summary>
    public static Adam Dlfs(double lr = 0.001) => new(lr, 0.9, 0.999, 1e-7, true);

    /// <summary>Kingma &amp; Ba's Adam (corrected moments, ε 1e-8).</summary>
    public static Adam Standard(double lr = 0.001) => new(lr, 0.9, 0.999, 1e-8, false);

    /// <inheritdoc/>
    public string Name => $"Adam(lr={LearningRate:R}, b1={Beta1:R}, b2={Beta2:R}, eps={Epsilon:R})";

    /// <inheritdoc/>
    public int SlotSize => 2;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => new AdamSlot(Zeros(param), Zeros(param));

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> b)
    {
        var x = Expect(b, 2, this);
        return new AdamSlot(x[0], x[1]);
    }

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, step, false, null);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Step(slot, param, grad, step, true, null);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Step(slot, param, grad, step, subtract, pool);

    IRule IStepScalars.At(long step) => new AtStep(this, step, Corrections(step));

    /// <remarks>The bias corrections use <see cref="Numerics.Powers.Pow(double, long)"/> of the step (binary exponentiation,
    /// the same bits everywhere): a running product of β kept as state would change the checkpoint format. The fold
    /// works them out once per step (<see cref="AtStep"/>), not once per array.</remarks>
    (double C1, double C2) Corrections(long step) =>
        (1 - Numerics.Powers.Pow(Beta1, step), 1 - Numerics.Powers.Pow(Beta2, step));

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, long step, bool subtract, Recycler? pool) =>
        Step(slot, param, grad, Corrections(step), subtract, pool);

    (ISlot, Tensor) Step(ISlot slot, Tensor param, Tensor grad, (double, double) c, bool subtract, Recycler? pool)
    {
        var s = As<AdamSlot>(slot, this);
        var (c1, c2) = c;
        var (b1, b2) = (1 - Beta1, 1 - Beta2);
        var (m, v, o) = FoldedBiasCorrection
            ? Run(new Folded(b1, b2, Epsilon, LearningRate * Math.Sqrt(c2) / c1), param, grad, s.M, s.V, subtract, pool)
            : Run(new Corrected(b1, b2, Epsilon, LearningRate, c1, c2), param, grad, s.M, s.V, subtract, pool);
        return (new AdamSlot(m!, v!), o);
    }

    /// <summary>The rule at one step, its bias corrections worked out: what the fold applies to every array.</summary>
    sealed class AtStep(Adam rule, long step, (double, double) corrections) : IRule, IPooledRule
    {
        public string Name => rule.Name;
        public int SlotSize => rule.SlotSize;
        public bool ForgetsInputs => rule.ForgetsInputs;

        public ISlot Init(Tensor param) => rule.Init(param);

        public ISlot Restore(Seq<Tensor> buffers) => rule.Restore(buffers);

        public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long at) =>
            Run(slot, param, grad, at, false, null);

        public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long at) =>
            Run(slot, param, grad, at, true, null);

        (ISlot Slot, Tensor Out) IPooledRule.Step(
            ISlot slot,
            Tensor param,
            Tensor grad,
            long at,
            bool subtract,
            Recycler? pool
        ) => Run(slot, param, grad, at, subtract, pool);

        (ISlot, Tensor) Run(ISlot slot, Tensor param, Tensor grad, long at, bool subtract, Recycler? pool) =>
            at == step
                ? rule.Step(slot, param, grad, corrections, subtract, pool)
                : rule.Step(slot, param, grad, at, subtract, pool);
    }

    /// <summary>m' = m + (1−β₁)(g − m) and v' = v + (1−β₂)(g·g − v), the moments of both presets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Moments(Vec g, ref Vec m, ref Vec v, double b1, double b2)
    {
        m += Vector256.Create(b1) * (g - m);
        v += Vector256.Create(b2) * (g * g - v);
    }

    /// <summary>delta = lr_t·m'/(√v' + ε).</summary>
    readonly struct Folded(double b1, double b2, double eps, double lrT) : ILaneFormula
    {
        public static int Slots => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b)
        {
            Moments(g, ref a, ref b, b1, b2);
            return Vector256.Create(lrT) * a / (Vector256.Sqrt(b) + Vector256.Create(eps));
        }
    }

    /// <summary>delta = lr·(m'/c₁)/(√(v'/c₂) + ε).</summary>
    readonly struct Corrected(double b1, double b2, double eps, double lr, double c1, double c2) : ILaneFormula
    {
        public static int Slots => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vec Step(Vec g, Vec p, ref Vec a, ref Vec b)
        {
            Moments(g, ref a, ref b, b1, b2);
            return Vector256.Create(lr)
                * (a / Vector256.Create(c1))
                / (Vector256.Sqrt(b / Vector256.Create(c2)) + Vector256.Create(eps));
        }
    }
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter): the chain of standard Adam and the decoupled decay lr·λ·p
/// (<see cref="Links"/>), so delta = adam + (lr·λ)·p exactly as written.
/// </summary>
/// <param name="LearningRate">The step size lr, of Adam and of the decay.</param>
/// <param name="WeightDecay">The decay λ (per unit of lr).</param>
/// <param name="Beta1">The first moment's decay β₁.</param>
/// <param name="Beta2">The second moment's decay β₂.</param>
/// <param name="Epsilon">ε, added to √v̂.</param>
public sealed record AdamW(
    double LearningRate = 0.001,
    double WeightDecay = 0.01,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-8
) : IRule, IPooledRule, IStepScalars
{
    /// <summary>The composition this record names, built from its fields at each use (nothing is cached).</summary>
    public Chain Links =>
        new(
            new Adam(LearningRate, Beta1, Beta2, Epsilon, FoldedBiasCorrection: false),
            new Functional.Optim.WeightDecay(LearningRate * WeightDecay)
        );

    /// <inheritdoc/>
    public string Name => $"AdamW(lr={LearningRate:R}, wd={WeightDecay:R})";

    /// <inheritdoc/>
    public int SlotSize => 2;

    /// <inheritdoc/>
    public bool ForgetsInputs => true;

    /// <inheritdoc/>
    public ISlot Init(Tensor param) => Links.Init(param);

    /// <inheritdoc/>
    public ISlot Restore(Seq<Tensor> b) => Links.Restore(b);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) =>
        Links.Apply(slot, param, grad, step);

    /// <inheritdoc/>
    public (ISlot Slot, Tensor Param) Update(ISlot slot, Tensor param, Tensor grad, long step) =>
        Links.Update(slot, param, grad, step);

    (ISlot Slot, Tensor Out) IPooledRule.Step(
        ISlot slot,
        Tensor param,
        Tensor grad,
        long step,
        bool subtract,
        Recycler? pool
    ) => Slots.Step(Links, slot, param, grad, step, subtract, pool);

    IRule IStepScalars.At(long step) => ((IStepScalars)Links).At(step);
}
