using Functional.Core;
using LanguageExt;

namespace Functional.Optim;

/// <summary>Optimizer state: the step count and one slot per parameter array.</summary>
public sealed record OptState(long Step, Map<ParamKey, ISlot> Slots);

/// <summary>
/// A rule plus whole-gradient transformations (global-norm clipping needs every array at once, so it runs
/// before the per-array fold).
/// </summary>
public sealed record Optimizer(IRule Rule, double ClipGlobalNorm = 0.0)
{
    public string Name => ClipGlobalNorm > 0 ? $"clip(‖g‖≤{ClipGlobalNorm:R}) → {Rule.Name}" : Rule.Name;
}

public static class Optim
{
    public static OptState Init(IRule rule, Params ps) => new(0, ps.Values.Map(rule.Init));

    public static OptState Init(Optimizer opt, Params ps) => Init(opt.Rule, ps);

    /// <summary>
    /// One step: a fold over the gradient dictionary that threads parameters and slots. A parameter without a
    /// gradient is left unchanged (Optimisers.jl's behaviour). Each array is updated by the rule's one-pass
    /// <see cref="IRule.Update"/>; the new parameter and slot maps are built once, not rebuilt per key.
    /// </summary>
    public static (Params Params, OptState State) Update(IRule rule, OptState st, Params ps, Grads gs)
    {
        var step = st.Step + 1;
        var n = gs.Values.Count;
        var values = new (ParamKey, Matrix)[n];
        var slots = new (ParamKey, ISlot)[n];
        var i = 0;
        foreach (var (key, g) in gs.Values)
        {
            var p =
                ps.Values.Find(key).IfNoneUnsafe((Matrix?)null)
                ?? throw new ArgumentException(
                    $"gradient for '{key}' has no matching parameter; parameters are: {string.Join(", ", ps.Values.Keys)}"
                );
            Shape.RequireSame(p, g, $"gradient of '{key}'");
            var slot =
                st.Slots.Find(key).IfNoneUnsafe((ISlot?)null)
                ?? throw new ArgumentException(
                    $"optimizer state has no slot for '{key}'; initialise it with Optim.Init on the same parameters."
                );
            var (next, updated) = rule.Update(slot, p, g, step);
            values[i] = (key, updated);
            slots[i] = (key, next);
            i++;
        }
        // Every key of gs is in ps and in the slots, so equal counts mean equal key sets: build fresh maps.
        var newValues = n == ps.Values.Count ? new Map<ParamKey, Matrix>(values) : ps.Values.SetItems(values);
        var newSlots = n == st.Slots.Count ? new Map<ParamKey, ISlot>(slots) : st.Slots.SetItems(slots);
        return (new Params(newValues), new OptState(step, newSlots));
    }

    public static (Params Params, OptState State) Update(Optimizer opt, OptState st, Params ps, Grads gs) =>
        Update(opt.Rule, st, ps, opt.ClipGlobalNorm > 0 ? ClipByGlobalNorm(gs, opt.ClipGlobalNorm) : gs);

    /// <summary>√(Σ‖g‖²) over every array, summed in key order.</summary>
    public static double GlobalNorm(Grads gs) => Math.Sqrt(gs.Values.Fold(0.0, (s, _, g) => s + Mat.SumOfSquares(g)));

    /// <summary>Scales every gradient by min(1, max/‖g‖) (optax's clip_by_global_norm).</summary>
    public static Grads ClipByGlobalNorm(Grads gs, double max)
    {
        var norm = GlobalNorm(gs);
        return norm <= max ? gs : new Grads(gs.Values.Map(g => g * (max / norm)));
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
