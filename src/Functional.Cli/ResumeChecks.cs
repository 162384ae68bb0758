using Functional.Core;
using Functional.Optim;
using Functional.Training;

namespace Functional.Cli;

/// <summary>What a checkpoint must satisfy beyond its format before a run continues from it or saves it.</summary>
public static class ResumeChecks
{
    /// <summary>The configuration's optimizer must be the one whose state the checkpoint stores (a hand edit of
    /// one without the other would restore slots into the wrong rule).</summary>
    public static void OptimizerMatches(string path, TrainConfig stored, Optimizer? saved)
    {
        if (saved is null)
            return;
        var built = stored.BuildOptimizer();
        if (saved.ClipGlobalNorm != built.ClipGlobalNorm)
            throw new UsageException(
                $"--resume {path}: the checkpoint clips gradients at {saved.ClipGlobalNorm}, its configuration at {built.ClipGlobalNorm}"
            );
        var wanted = RuleSpec.ToJson(built.Rule).ToJsonString();
        var held = RuleSpec.ToJson(saved.Rule).ToJsonString();
        if (wanted != held)
            throw new UsageException(
                $"--resume {path}: the configuration's optimizer ({stored.Optimizer}, lr {stored.LearningRate}) is not the one whose state the checkpoint stores ({held})"
            );
    }

    /// <summary>BatchNorm's running statistics go into the checkpoint and into evaluation: an overflow there is
    /// a divergence like a non-finite loss.</summary>
    public static void RequireFiniteStats(TrainState s)
    {
        foreach (var (i, st) in s.Model.BatchNorm)
        {
            if (!Finite(st.RunningMean))
                throw new NonFiniteException(s.Step, $"BatchNorm {i}'s running mean");
            if (!Finite(st.RunningVar))
                throw new NonFiniteException(s.Step, $"BatchNorm {i}'s running variance");
        }
    }

    static bool Finite(MathNet.Numerics.LinearAlgebra.Matrix<double> m)
    {
        foreach (var v in Mat.Data(m))
            if (!double.IsFinite(v))
                return false;
        return true;
    }
}
