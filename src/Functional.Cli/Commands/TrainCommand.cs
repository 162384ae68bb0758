using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Cli.Reporting;
using Functional.Data;
using Functional.Optim;
using Functional.Training;
using static Functional.Cli.Reporting.JsonFiles;

namespace Functional.Cli.Commands;

/// <summary>
/// `train`: data → network → the pure training pipeline, with a progress view, a checkpoint after every epoch,
/// and report.json + curves.png + model.ckpt at the end. Ctrl-C/SIGTERM stop after the current step, save a
/// checkpoint and print how to resume.
/// </summary>
public static class TrainCommand
{
    public const int ExitInterrupted = 130;
    public const int ExitDiverged = 3;

    public static int Run(
        TrainConfig requested,
        string outDir,
        string? resume,
        TextWriter log,
        ResumeOverrides? overrides = null,
        bool overwrite = false,
        CancellationToken interrupt = default
    )
    {
        var wall = Stopwatch.StartNew();
        // Registered first, so a signal during loading is an interruption (130), not the runtime's default (143).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        using var sigint = PosixSignalRegistration.Create(
            PosixSignal.SIGINT,
            c =>
            {
                c.Cancel = true;
                stop.Cancel();
            }
        );
        using var sigterm = PosixSignalRegistration.Create(
            PosixSignal.SIGTERM,
            c =>
            {
                c.Cancel = true;
                stop.Cancel();
            }
        );
        var (cfg, start, history, savedNet, partial, losses) = resume is null
            ? (
                requested,
                (TrainState?)null,
                new List<EpochLog>(),
                (Functional.Models.Network?)null,
                PartialEpoch.None,
                new List<double>()
            )
            : FromCheckpoint(resume, overrides ?? ResumeOverrides.None);
        TrainConfig.Validate(cfg, resume is null ? "" : $"--resume {resume}: ");
        outDir = OutputLocation.Directory(outDir, overwrite, resume);
        var data = DataSources.LoadFor(
            resume is null ? null : $"--resume {resume}",
            cfg.Dataset,
            cfg.DataDir,
            cfg.Seed,
            cfg.LimitTrain
        );
        var (trainData, validation) = HoldOut(cfg, data, resume);
        data = trainData;
        var controls = new TrainControls(cfg, validation);
        if (cfg.Validates && losses.Count != history.Count)
            throw new UsageException(
                $"--resume {resume}: the checkpoint's history holds {losses.Count} validation losses for {history.Count} epochs"
            );
        var outputs = data.Train.IsClassification ? data.Train.ClassNames.Length : data.Train.T.ColumnCount;
        SizeCheck.Require(cfg, data.Train.Features, outputs, data.Train.Count);
        if (cfg.BatchNorm && data.Train.Count < 2)
            throw new UsageException(
                $"{cfg.DataDir ?? cfg.Dataset}: the training set holds {data.Train.Count} sample; BatchNorm in training needs at least 2 (give more data, or --batchnorm false)"
            );
        Functional.Models.Network net;
        IRule opt;
        try
        {
            net = cfg.BuildNetwork(data.Train.Features, outputs);
            opt = cfg.BuildOptimizer();
        }
        catch (ArgumentException e) when (resume is not null)
        {
            throw new UsageException($"--resume {resume}: the stored configuration is invalid ({e.Message})");
        }
        var batches = new Batches(data.Train.Count, cfg.EffectiveBatch, cfg.SamplingMode)
        {
            MergeSingleLast = cfg.BatchNorm,
        };
        var total = cfg.TotalSteps(batches.StepsPerEpoch);
        var state = start ?? TrainState.Start(net, opt, Functional.Core.Key.Of(cfg.Seed));
        if (state.Step > total)
            throw new UsageException(
                $"--resume {resume}: the checkpoint is at step {state.Step}, past the {total} steps asked for; give a larger --epochs or --iterations"
            );
        if (
            savedNet is not null
            && Functional.Models.NetworkSpec.ToJson(net).ToJsonString()
                != Functional.Models.NetworkSpec.ToJson(savedNet).ToJsonString()
        )
            throw new UsageException($"--resume {resume}: the checkpoint's network does not match its configuration");

        var ckpt = Path.Combine(outDir, "model.ckpt");
        log.WriteLine(
            $"{cfg.Dataset}: {data.Train.Count} training / {data.Test.Count} test samples, {data.Train.Features} features"
                + (validation is null ? "" : $"; {validation.Count} more held out for validation")
        );
        log.WriteLine(net.Summary());
        log.WriteLine(
            $"optimizer {opt.Name}, batch {cfg.Batch}{(cfg.Accumulate > 1 ? $" × {cfg.Accumulate} micro-batches per update" : "")} ({cfg.Sampling}), {total} steps = {(double)total / batches.StepsPerEpoch:0.##} epochs of {batches.StepsPerEpoch}, seed {cfg.Seed}"
                + (state.Step > 0 ? $", resuming at step {state.Step}" : "")
                + (batches.MergesLast ? $"; {LastBatchNote(batches)}" : "")
        );

        // Started before any epoch, so every checkpoint of this run has its epochs' lines on disk before it (a failure
        // to write it is an OutputWriteException: exit 4, nothing trained, the resumed checkpoint untouched).
        using var historyLog = HistoryLog.Start(outDir, history);
        var last = state;
        // The mean batch loss of an epoch is summed here, in step order, from the sum stored by an interrupted run,
        // so an epoch split by Ctrl-C and --resume reports bitwise the value of the uninterrupted epoch.
        var (lossSum, lossSteps) = (partial.LossSum, partial.Steps);
        var stepTicks = 0L;
        var stepsRun = 0L;
        long? saved = start is not null && File.Exists(ckpt) ? state.Step : null; // the step of the checkpoint on disk
        var mark = Stopwatch.GetTimestamp();
        try
        {
            Progress.Run(
                log,
                total,
                state.Step,
                view =>
                {
                    void OnStep(StepResult r)
                    {
                        var now = Stopwatch.GetTimestamp();
                        stepTicks += now - mark; // evaluation and checkpointing happen outside these spans
                        mark = now;
                        stepsRun++;
                        last = r.State;
                        lossSum += r.Loss;
                        lossSteps++;
                        view.Step(r.State.Step, r.Loss);
                    }
                    // One pass to the end, or (a plateau) one epoch at a time, each with the rule its history decides.
                    while (last.Step < total && !stop.IsCancellationRequested && !controls.Stops(losses))
                    {
                        var rule = controls.RuleFor(opt, losses);
                        var until = controls.PerEpoch
                            ? Math.Min(total, (last.Step / batches.StepsPerEpoch + 1) * batches.StepsPerEpoch)
                            : total;
                        var epochs =
                            cfg.Accumulate == 1
                                ? Train.Epochs(
                                    net,
                                    rule,
                                    last,
                                    data,
                                    batches,
                                    until,
                                    OnStep,
                                    gc: GcPacing.Nursery,
                                    stop: stop.Token
                                )
                                : Accumulation.Epochs(
                                    net,
                                    rule,
                                    last,
                                    data,
                                    batches,
                                    cfg.Accumulate,
                                    until,
                                    OnStep,
                                    cfg.BatchNorm ? 2 : 1,
                                    stop.Token
                                );
                        foreach (var e in epochs)
                        {
                            var entry = e.Log with { MeanBatchLoss = lossSum / lossSteps };
                            (lossSum, lossSteps) = (0.0, 0L);
                            ResumeChecks.RequireFiniteStats(e.State);
                            history.Add(entry);
                            historyLog.Append(entry);
                            if (controls.Loss(net, e.State) is double v)
                                losses.Add(v);
                            SaveOrThrow(
                                ckpt,
                                MakeCheckpoint(net, opt, e.State, cfg, historyLog.Reference(), null, losses)
                            );
                            saved = e.State.Step;
                            view.Epoch(entry, total);
                            mark = Stopwatch.GetTimestamp();
                            if (controls.Stops(losses))
                                break;
                        }
                    }
                }
            );
        }
        catch (NonFiniteException ex)
        {
            log.Flush();
            Console.Error.WriteLine($"error: {ex.Message}.");
            Console.Error.WriteLine(
                history.Count > 0
                    ? $"The last good checkpoint (step {history[^1].Step}) is {ckpt}; continue with: train --resume {Quote(ckpt)} --lr <smaller>"
                    : "No checkpoint was written (it diverged in the first epoch)."
            );
            return ExitDiverged;
        }
        catch (OutputWriteException ex)
        {
            log.Flush();
            Console.Error.WriteLine(
                $"error: {OutputLocation.Safe(ex.Message)}; "
                    + (
                        saved is long at
                            ? $"the last good checkpoint (step {at}) is kept in {ckpt}"
                            : "no checkpoint had been written yet"
                    )
            );
            return Cli.ExitOutput;
        }

        var stoppedEarly = controls.Stops(losses);
        if (stoppedEarly && saved != last.Step)
            SaveOrThrow(ckpt, MakeCheckpoint(net, opt, last, cfg, historyLog.Reference(), null, losses));
        if (last.Step < total && !stoppedEarly)
        {
            SaveOrThrow(
                ckpt,
                MakeCheckpoint(
                    net,
                    opt,
                    last,
                    cfg,
                    historyLog.Reference(),
                    new PartialEpoch(lossSum, lossSteps),
                    losses
                )
            );
            Console.Error.WriteLine($"interrupted at step {last.Step} of {total}; checkpoint saved to {ckpt}");
            Console.Error.WriteLine(
                $"resume with: dotnet run --project src/Functional.Cli -c Release -- train --resume {Quote(ckpt)}"
            );
            return ExitInterrupted;
        }

        var final = history[^1];
        var report = Report(cfg, net, opt, history, last, total, batches.StepsPerEpoch);
        if (batches.MergesLast)
            report["last_batch"] = LastBatchNote(batches);
        TrainControls.WithValidation(report["history"]!.AsArray(), losses);
        if (controls.Report(losses, stoppedEarly, history.Count) is { } done)
            report["controls"] = done;
        if (stoppedEarly)
            log.WriteLine(
                $"early stop after epoch {history.Count}: no lower validation loss for {cfg.EarlyStop} epochs (best at epoch {EarlyStopping.BestEpoch(losses) + 1})"
            );
        report["timing"] = new JsonObject
        {
            ["wall_seconds"] = Math.Round(wall.Elapsed.TotalSeconds, 3),
            ["ms_per_iteration"] =
                stepsRun == 0
                    ? null
                    : Math.Round(Stopwatch.GetElapsedTime(0, stepTicks).TotalMilliseconds / stepsRun, 4),
            ["steps_timed"] = stepsRun,
            ["processor_count"] = Environment.ProcessorCount,
        };
        JsonFiles.Write(Path.Combine(outDir, "report.json"), report);
        Curves.Save(
            Path.Combine(outDir, "curves.png"),
            history,
            $"{cfg.Dataset} ({cfg.Optimizer}, lr {cfg.LearningRate.ToString(CultureInfo.InvariantCulture)})"
        );
        log.WriteLine(
            "final: " + Progress.Metrics(final.TrainLoss, final.TrainAccuracy, final.TestLoss, final.TestAccuracy)
        );
        log.WriteLine(
            FormattableString.Invariant(
                $"{stepsRun} steps in {wall.Elapsed.TotalSeconds:F1} s ({report["timing"]!["ms_per_iteration"]} ms/step); wrote {Path.Combine(outDir, "report.json")}, curves.png, model.ckpt"
            )
        );
        return 0;
    }

    /// <summary>The training set without the validation rows held out of it (by the run's seed), and those rows.</summary>
    static (TrainTest, Dataset?) HoldOut(TrainConfig cfg, TrainTest data, string? resume)
    {
        if (!cfg.Validates)
            return (data, null);
        try
        {
            var split = ValidationSplit.Of(data.Train, cfg.Validation, Functional.Core.Key.Of(cfg.Seed));
            return (data with { Train = split.Train }, split.Validation);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(
                $"{(resume is null ? "" : $"--resume {resume}: ")}--validation {cfg.Validation.ToString("R", CultureInfo.InvariantCulture)}: {e.Message.Split(" (Parameter")[0]}"
            );
        }
    }

    static string LastBatchNote(Batches b) =>
        $"the last batch of one sample is merged into the previous one ({b.StepsPerEpoch - 1} batches of {b.BatchSize}, then one of {b.BatchSize + 1})";

    /// <summary>A path as a POSIX shell word: quoted when it holds anything but safe characters.</summary>
    public static string Quote(string path) =>
        path.Length > 0 && path.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:,=@".Contains(c))
            ? path
            : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The configuration, state and history stored in a checkpoint; --epochs/--iterations may extend the run.</summary>
    static (
        TrainConfig,
        TrainState?,
        List<EpochLog>,
        Functional.Models.Network?,
        PartialEpoch,
        List<double>
    ) FromCheckpoint(string path, ResumeOverrides overrides)
    {
        var c = Checkpoint.Load(path).Match(Succ: x => x, Fail: e => throw new UsageException(e.Message));
        if (c.Optimizer is null || !c.OptimizerStateStored)
            throw new UsageException(
                $"--resume {path}: this is a model-only checkpoint (no optimizer state); it can be evaluated, not resumed (train a new run instead)"
            );
        if (c.Meta["config"] is not JsonObject o)
            throw new UsageException($"--resume {path}: the checkpoint has no training configuration");
        try
        {
            var stored = TrainConfig.FromJsonValidated(o, $"--resume {path}: ");
            ResumeChecks.OptimizerMatches(path, stored, c.Optimizer);
            var cfg = overrides.Apply(stored);
            // A file written before history.jsonl carries the whole history itself.
            var history =
                c.Meta["history"] is { } whole ? whole.AsArray().Select(h => ParseLog((JsonObject)h!)).ToList()
                : c.Meta[HistoryLog.MetaKey] is { } reference ? HistoryLog.Read(path, reference.AsObject(), ParseLog)
                : throw new UsageException(
                    $"--resume {path}: the checkpoint records no history (no meta.{HistoryLog.MetaKey}); it was not written by train"
                );
            return (
                cfg,
                c.State,
                history,
                c.Net,
                PartialEpoch.FromJson(c.Meta["partial_epoch"]),
                c.Meta[ValidationKey] is JsonArray v
                    ? [.. v.Select(x => x?.GetValue<double>() ?? double.NaN)]
                    : TrainControls.Losses(c.Meta["history"] as JsonArray ?? [])
            );
        }
        catch (Exception e)
            when (e
                    is InvalidOperationException
                        or FormatException
                        or OverflowException
                        or ArgumentException
                        or NullReferenceException
                        or InvalidCastException
                        or System.Text.Json.JsonException
            )
        {
            throw new UsageException(
                $"--resume {path}: the stored configuration or history is malformed ({e.Message.ReplaceLineEndings(" ")})"
            );
        }
    }

    /// <summary>Saves, or rethrows the save's failure (an <see cref="OutputWriteException"/>), which the command turns
    /// into one line and its exit code with the last good checkpoint kept.</summary>
    static void SaveOrThrow(string path, Checkpoint c) => Checkpoint.Save(path, c).ThrowIfFail();

    /// <summary>The run's checkpoint: its history is referenced (<paramref name="history"/>, see
    /// <see cref="HistoryLog"/>), not copied, so writing it costs the same at every epoch.</summary>
    public static Checkpoint MakeCheckpoint(
        Functional.Models.Network net,
        IRule opt,
        TrainState s,
        TrainConfig cfg,
        JsonObject history,
        PartialEpoch? partial = null,
        IReadOnlyList<double>? validationLosses = null
    ) =>
        new(
            net,
            opt,
            s,
            new JsonObject
            {
                ["config"] = cfg.ToJson(),
                [HistoryLog.MetaKey] = history,
                ["partial_epoch"] = (partial ?? PartialEpoch.None).ToJson(),
                [ValidationKey] = validationLosses is { Count: > 0 } v
                    ? new JsonArray([.. v.Select(x => (JsonNode?)Num(x))])
                    : null,
            }
        );

    /// <summary>The meta key of the validation losses, one per epoch (only with --validation): the plateau and
    /// early-stopping decisions are recomputed from them on resume. A number per epoch, so a checkpoint grows by a
    /// few bytes per epoch only when validation is on.</summary>
    const string ValidationKey = "validation_losses";

    public static JsonObject LogJson(EpochLog h) =>
        new()
        {
            ["epoch"] = h.Epoch,
            ["step"] = h.Step,
            ["train_loss"] = Num(h.TrainLoss),
            ["train_accuracy"] = Num(h.TrainAccuracy),
            ["test_loss"] = Num(h.TestLoss),
            ["test_accuracy"] = Num(h.TestAccuracy),
            ["mean_batch_loss"] = Num(h.MeanBatchLoss),
        };

    static EpochLog ParseLog(JsonObject o)
    {
        static double D(JsonNode? n) => n?.GetValue<double>() ?? double.NaN;
        return new EpochLog(
            o["epoch"]!.GetValue<int>(),
            o["step"]!.GetValue<long>(),
            D(o["train_loss"]),
            D(o["train_accuracy"]),
            D(o["test_loss"]),
            D(o["test_accuracy"]),
            D(o["mean_batch_loss"])
        );
    }

    /// <summary>Everything but timing: identical for two runs with the same configuration.</summary>
    public static JsonObject Report(
        TrainConfig cfg,
        Functional.Models.Network net,
        IRule opt,
        IReadOnlyList<EpochLog> history,
        TrainState last,
        long total,
        int perEpoch
    )
    {
        var f = history[^1];
        return new JsonObject
        {
            ["command"] = "train",
            ["config"] = cfg.ToJson(),
            ["network"] = Functional.Models.NetworkSpec.ToJson(net),
            ["optimizer"] = RuleSpec.ToJson(opt),
            ["steps"] = total,
            ["steps_per_epoch"] = perEpoch,
            ["history"] = new JsonArray([.. history.Select(LogJson)]),
            ["final"] = new JsonObject
            {
                ["train_loss"] = Num(f.TrainLoss),
                ["train_accuracy"] = Num(f.TrainAccuracy),
                ["test_loss"] = Num(f.TestLoss),
                ["test_accuracy"] = Num(f.TestAccuracy),
            },
            ["parameters_sha256"] = ParamsHash.Sha256(last.Params),
        };
    }
}

/// <summary>The batch losses summed so far in an unfinished epoch (exact bits), kept in an interrupted run's checkpoint.</summary>
public sealed record PartialEpoch(double LossSum, long Steps)
{
    public static PartialEpoch None { get; } = new(0.0, 0);

    public JsonObject ToJson() =>
        new()
        {
            ["loss_sum_bits"] = BitConverter
                .DoubleToInt64Bits(LossSum)
                .ToString("X16", System.Globalization.CultureInfo.InvariantCulture),
            ["steps"] = Steps,
        };

    public static PartialEpoch FromJson(JsonNode? node) => node is JsonObject o ? Checked(Parse(o)) : None;

    static PartialEpoch Checked(PartialEpoch p) =>
        p.Steps >= 0 && double.IsFinite(p.LossSum)
            ? p
            : throw new FormatException($"partial_epoch: {p.Steps} steps summing to {p.LossSum} is impossible");

    static PartialEpoch Parse(JsonObject o) =>
        new(
            BitConverter.Int64BitsToDouble(
                long.Parse(
                    o["loss_sum_bits"]!.GetValue<string>(),
                    System.Globalization.NumberStyles.HexNumber,
                    System.Globalization.CultureInfo.InvariantCulture
                )
            ),
            o["steps"]!.GetValue<long>()
        );
}
