using System.Collections.Immutable;
using Functional.Data;
using Functional.Models;
using Functional.Optim;
using Functional.Training;

namespace Functional.Cli.Experiments;

/// <summary>Evaluation-mode metrics of each evaluation set after <see cref="Step"/> steps.</summary>
public sealed record EvalPoint(int Epoch, long Step, ImmutableArray<Metrics> Sets);

/// <summary>
/// A finished (or diverged) training run: every step's batch loss (NaN after a divergence), the evaluation
/// history and the last good state.
/// </summary>
public sealed record RunResult(double[] Losses, IReadOnlyList<EvalPoint> History, TrainState Final, long? DivergedAt)
{
    public EvalPoint Last => History[^1];
}

/// <summary>The training loop every experiment shares, and the parallel map that runs independent trainings.</summary>
public static class Runner
{
    /// <summary>
    /// <paramref name="steps"/> steps of <see cref="Train.Steps"/> from <paramref name="start"/>, recording each
    /// step's batch loss (the training-mode loss the gradient came from, before the update). When
    /// <paramref name="evalEvery"/> &gt; 0 the sets are evaluated at step 0 and after every <paramref name="evalEvery"/>
    /// steps (the book's per-epoch check, plus the final state). A non-finite loss ends the run early instead of
    /// failing the whole experiment: one bad learning rate in a sweep is a result, not an error. A
    /// <paramref name="view"/> sees every step and, when the first two sets are a training and a test set, every
    /// evaluation (the progress bar of a long run); it changes nothing in the result.
    /// </summary>
    public static RunResult Train(
        Network net,
        IRule opt,
        TrainState start,
        Dataset train,
        Batches batches,
        long steps,
        int evalEvery = 0,
        IReadOnlyList<Dataset>? evalSets = null,
        Reporting.IProgressView? view = null
    )
    {
        var sets = evalSets ?? [];
        var losses = Enumerable.Repeat(double.NaN, (int)steps).ToArray();
        var history = new List<EvalPoint>();
        void Eval(TrainState s)
        {
            var point = new EvalPoint(
                evalEvery > 0 ? (int)((s.Step + evalEvery - 1) / evalEvery) : 0,
                s.Step,
                [.. sets.Select(d => Functional.Training.Train.Evaluate(net, s.Params, s.Model, d))]
            );
            history.Add(point);
            if (view is not null && point.Step > start.Step && point.Sets.Length >= 2)
            {
                var from = history.Count > 1 ? history[^2].Step : start.Step;
                var mean = 0.0;
                for (var i = from; i < point.Step; i++)
                    mean += losses[i];
                mean /= point.Step - from;
                var (tr, te) = (point.Sets[0], point.Sets[1]);
                view.Epoch(
                    new EpochLog(point.Epoch, point.Step, tr.Loss, tr.Accuracy, te.Loss, te.Accuracy, mean),
                    steps
                );
            }
        }
        if (evalEvery > 0)
            Eval(start);
        var last = start;
        try
        {
            foreach (
                var r in Functional.Training.Train.Steps(net, opt, start, train, batches, steps, gc: GcPacing.Nursery)
            )
            {
                last = r.State;
                losses[last.Step - 1] = r.Loss;
                view?.Step(last.Step, r.Loss);
                if (evalEvery > 0 && (last.Step % evalEvery == 0 || last.Step == steps))
                    Eval(last);
            }
        }
        catch (NonFiniteException e)
        {
            if (evalEvery > 0 && history[^1].Step != last.Step)
                Eval(last);
            return new RunResult(losses, history, last, e.Step);
        }
        return new RunResult(losses, history, last, null);
    }

    /// <summary>
    /// <paramref name="job"/>(0..count-1) on up to <paramref name="parallelism"/> threads, results in index order.
    /// Each job is a pure function of its index, and the GEMM kernel gives the same bits on any thread, so the
    /// results do not depend on the scheduling.
    /// </summary>
    public static T[] Map<T>(int parallelism, int count, Func<int, T> job)
    {
        var results = new T[count];
        try
        {
            Parallel.For(
                0,
                count,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) },
                i => results[i] = job(i)
            );
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return results;
    }
}
