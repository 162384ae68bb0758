using Functional.Core;
using LanguageExt;

namespace Functional.Optim;

/// <summary>Optimizer state: the number of steps taken and one slot per parameter array.</summary>
/// <param name="Step">Steps taken so far; the next update is step <c>Step + 1</c>.</param>
/// <param name="Slots">Each parameter array's state.</param>
public sealed record OptState(long Step, Map<ParamKey, ISlot> Slots);

/// <summary>An optimizer (<see cref="IRule"/>) folded over all of a network's parameter arrays.</summary>
public static class Optimizers
{
    /// <summary>The state before the first step: the rule's initial slot for every parameter array.</summary>
    public static OptState Init(IRule rule, Params ps) => new(0, ps.Values.Map(rule.Init));

    /// <summary>
    /// One step, the 1-based step <c>st.Step + 1</c>: a fold over the gradient dictionary that threads parameters
    /// and slots. A parameter without a gradient is left unchanged (Optimisers.jl's behaviour). Each array is
    /// updated by the rule's one-pass <see cref="IRule.Update"/>; a chain holding a link that needs every array at
    /// once (<see cref="ClipByGlobalNorm"/>) runs link by link over the whole dictionary.
    /// </summary>
    public static (Params Params, OptState State) Update(IRule rule, OptState st, Params ps, Grads gs) =>
        UpdateReusing(rule, st, ps, gs, null);

    /// <summary>
    /// <see cref="Update(IRule, OptState, Params, Grads)"/> whose fresh arrays may be dead states' arrays from
    /// <paramref name="pool"/>, which the training fold that owns it passes (same bits either way).
    /// </summary>
    internal static (Params Params, OptState State) UpdateReusing(
        IRule rule,
        OptState st,
        Params ps,
        Grads gs,
        Recycler? pool
    )
    {
        var step = st.Step + 1;
        rule = rule is IStepScalars scalars ? scalars.At(step) : rule;
        var (values, slots) = OnWholeTree(rule)
            ? Tree(rule, st.Slots, ps, gs, step, true, pool)
            : Arrays(rule, st.Slots, ps, gs, step, true, pool);
        return (new Params(values), new OptState(step, slots));
    }

    /// <summary>Whether <paramref name="rule"/> holds a link that cannot run one array at a time.</summary>
    static bool OnWholeTree(IRule rule) =>
        rule is ClipByGlobalNorm || rule is Chain c && (OnWholeTree(c.First) || OnWholeTree(c.Then));

    /// <summary>A chain link by link over the whole dictionary: the deltas of one link are the next one's input.</summary>
    static (Map<ParamKey, Tensor>, Map<ParamKey, ISlot>) Tree(
        IRule rule,
        Map<ParamKey, ISlot> slots,
        Params ps,
        Grads gs,
        long step,
        bool subtract,
        Recycler? pool
    )
    {
        switch (rule)
        {
            case ClipByGlobalNorm clip:
                var clipped = clip.Clip(gs);
                return subtract ? Arrays(Pass.Instance, slots, ps, clipped, step, true, pool) : (clipped.Values, slots);
            case Chain c when OnWholeTree(c):
                var first = slots.Map(s => Slots.As<ChainSlot>(s, c).First);
                var then = slots.Map(s => ((ChainSlot)s).Then);
                var (d, s1) = Tree(c.First, first, ps, gs, step, false, pool);
                var (o, s2) = Tree(c.Then, then, ps, new Grads(d), step, subtract, pool);
                return (o, s1.Map((k, a) => (ISlot)new ChainSlot(a, s2[k])));
            default:
                return Arrays(rule, slots, ps, gs, step, subtract, pool);
        }
    }

    /// <summary>
    /// The rule on every array that has a gradient: the new parameters (all of them) when
    /// <paramref name="subtract"/>, else the deltas (one per gradient); the new slots in both cases. The maps are
    /// built once, not rebuilt per key.
    /// </summary>
    static (Map<ParamKey, Tensor>, Map<ParamKey, ISlot>) Arrays(
        IRule rule,
        Map<ParamKey, ISlot> st,
        Params ps,
        Grads gs,
        long step,
        bool subtract,
        Recycler? pool
    )
    {
        var n = gs.Values.Count;
        var values = new (ParamKey, Tensor)[n];
        var slots = new (ParamKey, ISlot)[n];
        var i = 0;
        foreach (var (key, g) in gs.Values)
        {
            var p =
                ps.Values.Find(key).IfNoneUnsafe((Tensor?)null)
                ?? throw new ArgumentException(
                    $"gradient for '{key}' has no matching parameter; parameters are: {string.Join(", ", ps.Values.Keys)}"
                );
            Shape.RequireSame(p, g, $"gradient of '{key}'");
            var slot =
                st.Find(key).IfNoneUnsafe((ISlot?)null)
                ?? throw new ArgumentException(
                    $"optimizer state has no slot for '{key}'; initialise it with Optimizers.Init on the same parameters."
                );
            var (next, updated) = Slots.Step(rule, slot, p, g, step, subtract, pool);
            values[i] = (key, updated);
            slots[i] = (key, next);
            i++;
        }
        // Every key of gs is in ps and in the slots, so equal counts mean equal key sets: build fresh maps.
        var newValues =
            !subtract ? new Map<ParamKey, Tensor>(values)
            : n == ps.Values.Count ? new Map<ParamKey, Tensor>(values)
            : ps.Values.SetItems(values);
        var newSlots = n == st.Count ? new Map<ParamKey, ISlot>(slots) : st.SetItems(slots);
        return (newValues, newSlots);
    }

    /// <summary>The identity link (delta = u): what is left of a whole-tree link on each array.</summary>
    sealed record Pass : IRule
    {
        public static Pass Instance { get; } = new();
        public string Name => "pass";
        public int SlotSize => 0;
        public bool ForgetsInputs => true;

        public ISlot Init(Tensor param) => NoSlot.Instance;

        public ISlot Restore(Seq<Tensor> buffers) => NoSlot.Instance;

        public (ISlot Slot, Tensor Delta) Apply(ISlot slot, Tensor param, Tensor grad, long step) => (slot, grad);
    }

    /// <summary>Parses an optimizer name of the CLI with the seeds' defaults.</summary>
    public static IRule Parse(string name, double lr) =>
        name.Trim().ToLowerInvariant() switch
        {
            "sgd" => new Sgd(lr),
            "momentum" => new Momentum(lr),
            "nesterov" => new Nesterov(lr),
            "adagrad" => new AdaGrad(lr),
            "rmsprop" => new RmsProp(lr),
            "adam" => Adam.Dlfs(lr),
            "adam-standard" => Adam.Standard(lr),
            "adamw" => new AdamW(lr),
            _ => throw new ArgumentException(
                $"optimizer '{name}' is not one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adam-standard, adamw"
            ),
        };
}
