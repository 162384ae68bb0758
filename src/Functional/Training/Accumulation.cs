using Functional.Core;
using Functional.Data;
using Functional.Kernels;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;
using LanguageExt;

namespace Functional.Training;

/// <summary>
/// Gradient accumulation: each step's batch is cut into K consecutive micro-batches, their gradients are summed in
/// order, each weighted by its share of the rows (n_k / n, 1/K when they are equal), and one update is made with
/// the sum: the mean gradient of the whole batch, as for a batch of B·K rows without accumulation. BatchNorm's
/// running statistics are threaded through the micro-batches in order (K updates per step, as in PyTorch).
/// <para>
/// Which results equal a plain batch of B·K rows bitwise: K = 1 (one micro-batch of weight 1 is the plain step).
/// For K &gt; 1, in general none: the products sum over the K·B rows in another grouping (and scale by 1/B then
/// by 1/K instead of by 1/(K·B)), so values agree to rounding (about 1e-15 relative per step), and BatchNorm
/// normalises each micro-batch by its own statistics, which is a different function, not a rounding of it.
/// </para>
/// </summary>
public static class Accumulation
{
    /// <summary>
    /// The micro-batch sizes of a batch of <paramref name="rows"/>: min(K, rows / minRows) parts (at least one),
    /// the first rows mod parts one row larger, so each holds at least <paramref name="minRows"/> rows when the
    /// batch does (BatchNorm needs 2).
    /// </summary>
    public static int[] Parts(int rows, int k, int minRows = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minRows);
        var parts = Math.Max(1, Math.Min(k, rows / minRows));
        return [.. Enumerable.Range(0, parts).Select(i => rows / parts + (i < rows % parts ? 1 : 0))];
    }

    /// <summary>
    /// One update from the gradients of the micro-batches of (<paramref name="x"/>, <paramref name="t"/>).
    /// Micro-batch 0 draws dropout from the step's key (so K = 1 is the plain <see cref="Train.Step(Network, IRule, TrainState, Tensor, Tensor)"/>),
    /// micro-batch i &gt; 0 from that key folded with i. The loss is the weighted mean of the micro-batch losses.
    /// </summary>
    public static StepResult Step(Network net, IRule rule, TrainState s, Tensor x, Tensor t, int k, int minRows = 1)
    {
        var parts = Parts(x.RowCount, k, minRows);
        var stepKey = s.Key.FoldIn(KeyPurpose.Dropout).FoldIn(s.Step);
        var rows = (double)x.RowCount;
        Grads? sum = null;
        var loss = 0.0;
        var model = s.Model;
        var start = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var m = parts[i];
            var ctx = Ctx.Train(i == 0 ? stepKey : stepKey.FoldIn((ulong)i));
            var r = net.LossAndGrads(s.Params, model, Mat.RowRange(x, start, m), Mat.RowRange(t, start, m), ctx);
            Finite(s.Step + 1, r);
            var w = m / rows;
            var g = parts.Length == 1 ? r.Grads : new Grads(r.Grads.Values.Map((Tensor v) => v * w));
            sum = sum is null ? g : new Grads(sum.Values.Map((ParamKey key, Tensor acc) => acc + g[key]));
            loss = parts.Length == 1 ? r.Loss : loss + w * r.Loss;
            model = r.State;
            start += m;
        }
        var (ps, os) = Optimizers.Update(rule, s.Opt, s.Params, sum!);
        return new StepResult(new TrainState(ps, model, os, s.Key, s.Step + 1), loss);
    }

    /// <summary>Successive states, one update per step, each on the batch <paramref name="batches"/> chooses for
    /// the step (build it with the batch size B·K): as <see cref="Train.Steps"/>, lazily.</summary>
    public static IEnumerable<StepResult> Steps(
        Network net,
        IRule rule,
        TrainState start,
        Dataset data,
        Batches batches,
        int k,
        long totalSteps,
        int minRows = 1,
        CancellationToken stop = default
    )
    {
        if (data.Count == 0 || batches.Count > data.Count)
            throw new ArgumentException(
                $"the training set '{data.Name}' holds {data.Count} samples, the batches draw from {batches.Count}; build Batches from the data set's Count.",
                nameof(data)
            );
        var s = start;
        while (s.Step < totalSteps && !stop.IsCancellationRequested)
        {
            var idx = batches.At(s.Key, s.Step);
            var r = Step(net, rule, s, Mat.Rows(data.X, idx), Mat.Rows(data.T, idx), k, minRows);
            yield return r;
            s = r.State;
        }
    }

    /// <summary>The epoch view of <see cref="Steps"/>, as <see cref="Train.Epochs"/>: the state and its evaluation
    /// after every epoch boundary and after the last step.</summary>
    public static IEnumerable<EpochResult> Epochs(
        Network net,
        IRule rule,
        TrainState start,
        TrainTest data,
        Batches batches,
        int k,
        long totalSteps,
        Action<StepResult>? onStep = null,
        int minRows = 1,
        CancellationToken stop = default
    )
    {
        var per = batches.StepsPerEpoch;
        var (lossSum, count) = (0.0, 0);
        foreach (var r in Steps(net, rule, start, data.Train, batches, k, totalSteps, minRows, stop))
        {
            lossSum += r.Loss;
            count++;
            onStep?.Invoke(r);
            if (r.State.Step % per == 0 || r.State.Step == totalSteps)
            {
                yield return new EpochResult(r.State, Train.EpochLog(net, r.State, data, per, lossSum / count));
                (lossSum, count) = (0.0, 0);
            }
        }
    }

    static void Finite(long step, BatchGradients r)
    {
        if (!double.IsFinite(r.Loss))
            throw new NonFiniteException(step, $"the loss ({r.Loss})");
        foreach (var (key, g) in r.Grads.Values)
            if (!Elementwise.AllFinite(Mat.Data(g)))
                throw new NonFiniteException(step, $"the gradient of '{key}'");
    }
}
