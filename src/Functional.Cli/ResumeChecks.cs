using Functional.Core;
using Functional.Optim;
using Functional.Training;

namespace Functional.Cli;

/// <summary>What a checkpoint must satisfy beyond its format before a run continues from it or saves it.</summary>
public static class ResumeChecks
{
    /// <summary>The configuration's optimizer must be the one whose state the checkpoint stores (a hand edit of
    /// one without the other would restore slots into the wrong rule).</summary>
    public static void OptimizerMatches(string path, TrainConfig stored, IRule? saved)
    {
        if (saved is null)
            return;
        var built = stored.BuildOptimizer();
        if (Clip(saved) != Clip(built))
            throw new UsageException(
                $"--resume {path}: the checkpoint clips gradients at {Clip(saved)}, its configuration at {Clip(built)}"
            );
        var wanted = RuleSpec.ToJson(built).ToJsonString();
        var held = RuleSpec.ToJson(saved).ToJsonString();
        if (wanted != held)
            throw new UsageException(
                $"--resume {path}: the configuration's optimizer ({stored.Optimizer}, lr {stored.LearningRate}) is not the one whose state the checkpoint stores ({held})"
            );
    }

    /// <summary>The global-norm bound of a leading clipping link (0: no clipping).</summary>
    static double Clip(IRule rule) => rule is Chain { First: ClipByGlobalNorm c } ? c.Max : 0.0;

    /// <summary>BatchNorm's running statistics go into the checkpoint and into evaluation: an overflow there is
    /// a divergence like a non-finite loss.</summary>
    public static void RequireFiniteStats(TrainState s)
    {
        foreach (var (k, m) in s.Model.Values)
            if (!Finite(m))
                throw new NonFiniteException(
                    s.Step,
                    $"BatchNorm {k.Layer}'s running {(k.Name == "var" ? "variance" : k.Name == "mean" ? "mean" : k.Name)}"
                );
    }

    static bool Finite(Functional.Core.Tensor m)
    {
        foreach (var v in m.Span)
            if (!double.IsFinite(v))
                return false;
        return true;
    }
}
