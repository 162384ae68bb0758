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
        ResumeOverrides? overrides = null
    )
    {
        var wall = Stopwatch.StartNew();
        var (cfg, start, history, savedNet) = resume is null
            ? (requested, (TrainState?)null, new List<EpochLog>(), (Functional.Network.Network?)null)
            : FromCheckpoint(resume, overrides ?? ResumeOverrides.None);
        var data = DataSources.Load(cfg.Dataset, cfg.DataDir, cfg.Seed, cfg.LimitTrain);
        var outputs = data.Train.IsClassification ? data.Train.ClassNames.Length : data.Train.T.ColumnCount;
        var net = cfg.BuildNetwork(data.Train.Features, outputs);
        var opt = cfg.BuildOptimizer();
        var batches = new Batches(data.Train.Count, cfg.Batch, cfg.SamplingMode);
        var total = cfg.TotalSteps(batches.StepsPerEpoch);
        var state = start ?? TrainState.Start(net, opt.Rule, Functional.Core.Key.Of(cfg.Seed));
        if (
            savedNet is not null
            && Functional.Network.NetworkSpec.ToJson(net).ToJsonString()
                != Functional.Network.NetworkSpec.ToJson(savedNet).ToJsonString()
        )
            throw new UsageException($"--resume {resume}: the checkpoint's network does not match its configuration");

        Directory.CreateDirectory(outDir);
        var ckpt = Path.Combine(outDir, "model.ckpt");
        log.WriteLine(
            $"{cfg.Dataset}: {data.Train.Count} training / {data.Test.Count} test samples, {data.Train.Features} features"
        );
        log.WriteLine(net.Summary());
        log.WriteLine(
            $"optimizer {opt.Name}, batch {cfg.Batch} ({cfg.Sampling}), {total} steps = {(double)total / batches.StepsPerEpoch:0.##} epochs of {batches.StepsPerEpoch}, seed {cfg.Seed}"
                + (state.Step > 0 ? $", resuming at step {state.Step}" : "")
        );

        using var stop = new CancellationTokenSource();
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

        var last = state;
        var stepTicks = 0L;
        var stepsRun = 0L;
        var mark = Stopwatch.GetTimestamp();
        try
        {
            Progress.Run(
                log,
                total,
                state.Step,
                view =>
                {
                    foreach (
                        var e in Train.Epochs(
                            net,
                            opt,
                            state,
                            data,
                            batches,
                            total,
                            r =>
                            {
                                var now = Stopwatch.GetTimestamp();
                                stepTicks += now - mark; // evaluation and checkpointing happen outside these spans
                                mark = now;
                                stepsRun++;
                                last = r.State;
                                view.Step(r.State.Step, r.Loss);
                            },
                            stop.Token
                        )
                    )
                    {
                        history.Add(e.Log);
                        Checkpoint.Save(ckpt, MakeCheckpoint(net, opt, e.State, cfg, history));
                        view.Epoch(e.Log, total);
                        mark = Stopwatch.GetTimestamp();
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
                    ? $"The last good checkpoint (step {history[^1].Step}) is {ckpt}; continue with: train --resume {ckpt} --lr <smaller>"
                    : "No checkpoint was written (it diverged in the first epoch)."
            );
            return ExitDiverged;
        }

        if (last.Step < total)
        {
            Checkpoint.Save(ckpt, MakeCheckpoint(net, opt, last, cfg, history));
            Console.Error.WriteLine($"interrupted at step {last.Step} of {total}; checkpoint saved to {ckpt}");
            Console.Error.WriteLine(
                $"resume with: dotnet run --project src/Functional.Cli -c Release -- train --resume {ckpt}"
            );
            return ExitInterrupted;
        }

        var final = history[^1];
        var report = Report(cfg, net, opt, history, last, total, batches.StepsPerEpoch);
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

    /// <summary>The configuration, state and history stored in a checkpoint; --epochs/--iterations may extend the run.</summary>
    static (TrainConfig, TrainState?, List<EpochLog>, Functional.Network.Network?) FromCheckpoint(
        string path,
        ResumeOverrides overrides
    )
    {
        var c = Checkpoint.Load(path).Match(Succ: x => x, Fail: e => throw new UsageException(e.Message));
        if (c.Optimizer is null)
            throw new UsageException(
                $"--resume {path}: this is a model-only checkpoint (no optimizer state); it can be evaluated, not resumed"
            );
        var cfg = c.Meta["config"] is JsonObject o
            ? overrides.Apply(TrainConfig.FromJson(o))
            : throw new UsageException($"--resume {path}: the checkpoint has no training configuration");
        var history = (c.Meta["history"] as JsonArray ?? []).Select(h => ParseLog((JsonObject)h!)).ToList();
        return (cfg, c.State, history, c.Net);
    }

    public static Checkpoint MakeCheckpoint(
        Functional.Network.Network net,
        Optimizer opt,
        TrainState s,
        TrainConfig cfg,
        List<EpochLog> history
    ) =>
        new(
            net,
            opt,
            s,
            new JsonObject { ["config"] = cfg.ToJson(), ["history"] = new JsonArray([.. history.Select(LogJson)]) }
        );

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
        Functional.Network.Network net,
        Optimizer opt,
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
            ["network"] = Functional.Network.NetworkSpec.ToJson(net),
            ["optimizer"] = RuleSpec.ToJson(opt.Rule),
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
