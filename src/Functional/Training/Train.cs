using Functional.Core;
using Functional.Data;
using Functional.Kernels;
using Functional.Layers;
using Functional.Models;
using Functional.Optim;

namespace Functional.Training;

/// <summary>A loss or gradient stopped being finite: the step and the first array that went bad are named.</summary>
public sealed class NonFiniteException(long step, string what)
    : Exception(
        $"training stopped at step {step}: {what} is not finite (NaN or ±∞); lower the learning rate or check the data"
    )
{
    /// <summary>The number of the failing step, counted from 1 (the state's <see cref="TrainState.Step"/> +
    /// 1).</summary>
    public long Step { get; } = step;

    /// <summary>What went bad: the loss, or the first gradient array by key.</summary>
    public string What { get; } = what;
}

/// <summary>One training step's outcome.</summary>
public sealed record StepResult(TrainState State, double Loss);

/// <summary>Training as composed pure stages: batch → step → epoch (a fold over its batches) → evaluation.</summary>
public static class Train
{
    /// <summary>Forward, backward, optimizer update and new BatchNorm statistics for one batch.</summary>
    public static StepResult Step(Network net, IRule rule, TrainState s, Tensor x, Tensor t) =>
        Step(net, rule, s, x, t, null);

    /// <summary>
    /// The step with its intermediates in <paramref name="scratch"/> (which the caller has reset for this step).
    /// The weight gradients go there too when the rule declares <see cref="IRule.ForgetsInputs"/> (it reads a
    /// gradient and keeps no reference to it); any other rule gets fresh gradients.
    /// </summary>
    internal static StepResult Step(
        Network net,
        IRule rule,
        TrainState s,
        Tensor x,
        Tensor t,
        StepScratch? scratch,
        Recycler? recycler = null
    )
    {
        var ctx = Ctx.Train(s.Key.FoldIn(KeyPurpose.Dropout).FoldIn(s.Step));
        var grads = rule.ForgetsInputs ? scratch : null;
        var r = net.LossAndGrads(s.Params, s.Model, x, t, ctx, scratch, grads);
        if (!double.IsFinite(r.Loss))
            throw new NonFiniteException(
                s.Step + 1,
                $"the loss ({r.Loss})" + FirstBad(r.Grads, " and the gradient of ")
            );
        var bad = FirstBad(r.Grads, "the gradient of ");
        if (bad.Length > 0)
            throw new NonFiniteException(s.Step + 1, bad);
        // The new parameters and slots may reuse a dead state's arrays (a fold's recycler, passed down).
        var (ps, os) = Optimizers.UpdateReusing(rule, s.Opt, s.Params, r.Grads, recycler);
        return new StepResult(new TrainState(ps, r.State, os, s.Key, s.Step + 1), r.Loss);
    }

    /// <summary>The step on the batch chosen by <paramref name="batches"/> for the state's step number.</summary>
    public static StepResult Step(Network net, IRule rule, TrainState s, Dataset data, Batches batches)
    {
        var idx = batches.At(s.Key, s.Step);
        return Step(net, rule, s, Mat.Rows(data.X, idx), Mat.Rows(data.T, idx));
    }

    /// <summary>
    /// Successive states, one per step, from <paramref name="start"/> until <paramref name="totalSteps"/>:
    /// an unfold, lazily evaluated, so a caller may stop at any point and keep the last state.
    /// </summary>
    public static IEnumerable<StepResult> Steps(
        Network net,
        IRule rule,
        TrainState start,
        Dataset data,
        Batches batches,
        long totalSteps,
        Workspace? workspace = null,
        GcPacing gc = GcPacing.Runtime,
        CancellationToken stop = default
    ) => Loop(net, rule, start, data, batches, totalSteps, null, workspace, gc, stop);

    /// <summary>
    /// <see cref="Steps"/> as a fold: the last step's result (the start state and a NaN loss when there is no step
    /// to take). No intermediate state leaves the fold, so with a rule that declares <see cref="IRule.ForgetsInputs"/> the arrays of each dead state are
    /// recycled into the next ones (<see cref="Recycler"/>); the results are bitwise those of <see cref="Steps"/>.
    /// </summary>
    public static StepResult Run(
        Network net,
        IRule rule,
        TrainState start,
        Dataset data,
        Batches batches,
        long totalSteps,
        Workspace? workspace = null,
        GcPacing gc = GcPacing.Runtime,
        CancellationToken stop = default
    ) => Run(net, rule, start, data, batches, totalSteps, RecycleFrom, workspace, gc, stop);

    /// <summary><see cref="Run(Network, IRule, TrainState, Dataset, Batches, long, Workspace?, GcPacing, CancellationToken)"/>
    /// recycling states of at least <paramref name="recycleFrom"/> doubles (tests recycle small ones too).</summary>
    internal static StepResult Run(
        Network net,
        IRule rule,
        TrainState start,
        Dataset data,
        Batches batches,
        long totalSteps,
        long recycleFrom,
        Workspace? workspace = null,
        GcPacing gc = GcPacing.Runtime,
        CancellationToken stop = default
    )
    {
        var (prev, next) = (new List<double[]>(), new List<double[]>());
        Arrays(start, prev);
        var recycler = rule.ForgetsInputs && prev.Sum(a => (long)a.Length) >= recycleFrom ? new Recycler(prev) : null;
        var last = new StepResult(start, double.NaN);
        foreach (var r in Loop(net, rule, start, data, batches, totalSteps, recycler, workspace, gc, stop))
        {
            if (recycler is not null)
            {
                Arrays(r.State, next);
                if (!ReferenceEquals(last.State, start))
                    recycler.Retire(prev, next);
                (prev, next) = (next, prev);
            }
            last = r;
        }
        return last;
    }

    /// <summary>
    /// The smallest state (parameter and slot doubles) whose arrays
    /// <see cref="Run(Network, IRule, TrainState, Dataset, Batches, long, Workspace?, GcPacing, CancellationToken)"/> recycles.
    /// Below this size (the digits and regression states, 2–4 K doubles) the arrays sit in L2 and the nursery anyway,
    /// so recycling cannot win and its bookkeeping would cost more than it saves.
    /// </summary>
    const long RecycleFrom = 1 << 15;

    /// <summary>The parameter and optimizer-slot arrays of a state (what its successor's update replaces), into
    /// <paramref name="into"/> (cleared first).</summary>
    static void Arrays(TrainState s, List<double[]> into)
    {
        into.Clear();
        foreach (var m in s.Params.Values.Values)
            if (m.Storage is { } a)
                into.Add(a);
        foreach (var slot in s.Opt.Slots.Values)
        foreach (var m in slot.Buffers)
            if (m.Storage is { } a)
                into.Add(a);
    }

    static IEnumerable<StepResult> Loop(
        Network net,
        IRule rule,
        TrainState start,
        Dataset data,
        Batches batches,
        long totalSteps,
        Recycler? recycler,
        Workspace? workspace,
        GcPacing gc,
        CancellationToken stop
    )
    {
        if (data.Count == 0 || batches.Count > data.Count)
            throw new ArgumentException(
                $"the training set '{data.Name}' holds {data.Count} samples, the batches draw from {batches.Count}; build Batches from the data set's Count.",
                nameof(data)
            );
        var s = start;
        var nursery = gc == GcPacing.Nursery ? new NurseryPacer() : (NurseryPacer?)null;
        // The batch and the step's intermediates live in the workspace's scratch arrays, reset before each step.
        // That is safe because a step keeps no reference to its input or intermediates: it returns fresh
        // parameters, optimizer slots and BatchNorm statistics, and only built-in layers are lent the scratch (a
        // network with another layer runs on fresh arrays). See docs/ARCHITECTURE.md, "Buffers the training loop owns".
        var ws = workspace ?? new Workspace();
        using var claim = ws.Enter();
        var scratch = ws.Scratch;
        while (s.Step < totalSteps && !stop.IsCancellationRequested)
        {
            scratch.Reset(); // the previous step has returned: nothing uses its arrays any more
            var idx = batches.At(s.Key, s.Step);
            // A batch of palette codes is copied by the first layer's product as it packs it (DeferredRows).
            var x = Mat.RowsDeferred(data.X, idx, scratch);
            var t = Mat.RowsInto(data.T, idx, scratch);
            var r = Step(net, rule, s, x, t, scratch, recycler);
            yield return r;
            s = r.State;
            // Paced after the step's predecessor state is dropped, so a collection promotes one set of parameters.
            nursery = nursery?.Tick();
        }
    }

    /// <summary>
    /// The epoch view of <see cref="Steps"/>: after every epoch boundary (and after the last step) the state and
    /// that epoch's evaluation on the training and test sets. An epoch is a fold over its batches.
    /// </summary>
    public static IEnumerable<EpochResult> Epochs(
        Network net,
        IRule rule,
        TrainState start,
        TrainTest data,
        Batches batches,
        long totalSteps,
        Action<StepResult>? onStep = null,
        Workspace? workspace = null,
        GcPacing gc = GcPacing.Runtime,
        CancellationToken stop = default
    )
    {
        var per = batches.StepsPerEpoch;
        var s = start;
        var lossSum = 0.0;
        var count = 0;
        foreach (var r in Steps(net, rule, start, data.Train, batches, totalSteps, workspace, gc, stop))
        {
            s = r.State;
            lossSum += r.Loss;
            count++;
            onStep?.Invoke(r);
            if (s.Step % per == 0 || s.Step == totalSteps)
            {
                yield return new EpochResult(s, EpochLog(net, s, data, per, lossSum / count));
                lossSum = 0;
                count = 0;
            }
        }
    }

    internal static EpochLog EpochLog(Network net, TrainState s, TrainTest data, int stepsPerEpoch, double meanStepLoss)
    {
        var tr = Evaluate(net, s.Params, s.Model, data.Train);
        var te = Evaluate(net, s.Params, s.Model, data.Test);
        var epoch = (int)((s.Step + stepsPerEpoch - 1) / stepsPerEpoch);
        return new EpochLog(epoch, s.Step, tr.Loss, tr.Accuracy, te.Loss, te.Accuracy, meanStepLoss);
    }

    /// <summary>Loss and accuracy of a data set in evaluation mode, computed in chunks of rows: the same bits for any
    /// chunk with the built-in losses (each row's loss terms are summed in row order); the chunk bounds memory and
    /// sets the speed only (<see cref="Network.EvaluationChunk"/>).</summary>
    public static Metrics Evaluate(
        Network net,
        Params ps,
        ModelState st,
        Dataset data,
        int chunk = Network.EvaluationChunk
    )
    {
        if (chunk <= 0)
            throw new ArgumentOutOfRangeException(
                nameof(chunk),
                chunk,
                "Evaluate: chunk must be a positive row count such as 200."
            );
        if (data.Count == 0)
            throw new ArgumentException(
                $"Evaluate: the data set '{data.Name}' holds no samples; give at least one.",
                nameof(data)
            );
        var n = data.Count;
        var lossSum = 0.0; // every row's terms in row order, whatever the chunk (LossLayer.AddToSum)
        var correct = 0;
        for (var start = 0; start < n; start += chunk)
        {
            var m = Math.Min(chunk, n - start);
            var x = Mat.RowRange(data.X, start, m);
            var t = Mat.RowRange(data.T, start, m);
            var scores = net.Scores(ps, st, x, Ctx.Eval);
            lossSum = net.Loss.AddToSum(lossSum, scores, t);
            if (data.IsClassification)
            {
                var pred = Mat.ArgMaxRows(scores);
                for (var i = 0; i < m; i++)
                    if (pred[i] == data.Labels[start + i])
                        correct++;
            }
        }
        var loss = net.Loss.MeanOfSum(lossSum, n, data.T.ColumnCount) + net.Penalty(ps);
        return new Metrics(loss, data.IsClassification ? correct / (double)n : double.NaN);
    }

    static string FirstBad(Grads g, string prefix)
    {
        foreach (var (key, m) in g.Values)
            if (!Elementwise.AllFinite(Mat.Data(m)))
                return prefix + $"'{key}'";
        return "";
    }
}

/// <summary>One row of the history: evaluation-mode metrics after an epoch, plus the mean training-mode batch loss.</summary>
public sealed record EpochLog(
    int Epoch,
    long Step,
    double TrainLoss,
    double TrainAccuracy,
    double TestLoss,
    double TestAccuracy,
    double MeanBatchLoss
);

/// <summary>The state at the end of an epoch and that epoch's history row.</summary>
/// <param name="State">The training state after the epoch's last step.</param>
/// <param name="Log">The evaluation after that step.</param>
public sealed record EpochResult(TrainState State, EpochLog Log);

/// <summary>Loss and accuracy (NaN for regression) of one data set.</summary>
public sealed record Metrics(double Loss, double Accuracy);
