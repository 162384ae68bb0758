using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Functional.Cli.Bench;
using Functional.Cli.Reporting;
using Functional.Core;
using Functional.Data;
using Functional.Layers;
using Functional.Training;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>
/// `bench`: the seed workloads of the peer benchmarks (shared/bench/peers/w1, w3, w4, w5) with the peers'
/// configurations, timed like the peers time theirs (the training loop including the batch gathering; data loading
/// and initialisation outside). Prints ms/step and bytes allocated per step, and writes a JSON file.
/// </summary>
public sealed class BenchCommand : ICliCommand
{
    readonly CliOption _workloads = new("--workloads")
    {
        Description =
            "comma list of digits-bn, two-layer, optimizers (all five), optimizers-<sgd|momentum|adagrad|adam|rmsprop>, regression, convnet (default: all but convnet)",
    };
    readonly CliOption _data = new("--data")
    {
        Description =
            $"Fashion-MNIST directory (default {Workloads.DefaultFashionMnist} if present, else the repository's mini set)",
    };
    readonly CliOption _repeats = new("--repeats")
    {
        Description = "timed runs per workload; the median is reported (default 3)",
    };
    readonly CliOption _steps = new("--steps")
    {
        Description = "steps per run instead of the peers' counts (for a quick look)",
    };
    readonly CliOption _out = new("--out") { Description = "JSON output file (default runs/bench-<timestamp>.json)" };
    readonly Option<bool> _noWait = new("--no-wait")
    {
        Description = "do not wait (up to 90 s) for other processes to go quiet before each timed run",
    };

    readonly Option<bool> _overwrite = new("--overwrite") { Description = "replace an existing --out file" };

    public Command Build()
    {
        var cmd = new Command("bench", "Time the peer benchmarks' seed workloads (ms/step, bytes/step).")
        {
            _workloads,
            _data,
            _repeats,
            _steps,
            _out,
            _noWait,
            _overwrite,
        };
        cmd.SetAction(r =>
            Run(
                r.GetValue(_workloads),
                r.GetValue(_data),
                r.GetValue(_repeats) is string rp ? TrainConfig.Parse.PositiveInt("--repeats", rp) : 3,
                r.GetValue(_steps) is string st ? TrainConfig.Parse.PositiveLong("--steps", st) : null,
                OutputLocation.File(
                    r.GetValue(_out) ?? OutputLocation.UniqueDefault("bench", ".json"),
                    r.GetValue(_overwrite)
                ),
                Console.Out,
                waitQuiet: !r.GetValue(_noWait)
            )
        );
        return cmd;
    }

    static readonly string[] Optimizers = ["sgd", "momentum", "adagrad", "adam", "rmsprop"];

    public static int Run(
        string? workloads,
        string? dataDir,
        int repeats,
        long? steps,
        string outFile,
        TextWriter log,
        bool waitQuiet = true
    )
    {
        var names = Expand(workloads ?? "digits-bn,two-layer,optimizers,regression");
        var notes = new List<string>();
        Dataset? fashion = null;
        Dataset Fashion()
        {
            if (fashion is not null)
                return fashion;
            var dir =
                dataDir ?? (Directory.Exists(Workloads.DefaultFashionMnist) ? Workloads.DefaultFashionMnist : null);
            if (dir is null)
                notes.Add(
                    $"{Workloads.DefaultFashionMnist} not found: Fashion-MNIST workloads ran on the repository's mini set, not comparable with the peers' 60 000 images"
                );
            fashion = DataSources.Load("fashion-mnist", dir, 1).Train;
            return fashion;
        }

        var rows = new JsonArray();
        log.WriteLine(
            $"{"workload", -20} {"steps", 6} {"ms/step", 9} {"best", 9} {"clean", 5} {"bytes/step", 12} {"act+grad B", 11} {"ratio", 6}  result"
        );
        foreach (var name in names)
        {
            var w = name switch
            {
                "digits-bn" => Workloads.DigitsBn(DataSources.Load("digits", null, 1).Train),
                "two-layer" => Workloads.TwoLayer(Fashion()),
                "regression" => Workloads.Regression(DataSources.Load("regression", null, 1).Train),
                "convnet" => Workloads.ConvNet(Fashion()),
                _ => Workloads.Optimizers(Fashion(), name["optimizers-".Length..]),
            };
            var r = Measure(w, repeats, steps ?? w.Steps, waitQuiet);
            var actGrad = ActivationAndGradientBytes(w);
            var ratio = r.BytesPerStep / (double)actGrad;
            log.WriteLine(
                FormattableString.Invariant(
                    $"{w.Name, -20} {r.Steps, 6} {r.MedianMs, 9:F4} {r.BestMs, 9:F4} {$"{r.CleanRuns}/{r.RunsMs.Length}", 5} {r.BytesPerStep, 12:N0} {actGrad, 11:N0} {ratio, 6:F2}  {r.Result}"
                )
            );
            rows.Add(
                new JsonObject
                {
                    ["workload"] = w.Name,
                    ["peer"] = w.Peer,
                    ["steps"] = r.Steps,
                    ["batch"] = w.Batches.BatchSize,
                    ["train_samples"] = w.Train.Count,
                    ["ms_per_step_median"] = Math.Round(r.MedianMs, 5),
                    ["ms_per_step_best"] = Math.Round(r.BestMs, 5),
                    ["ms_per_step_runs"] = new JsonArray([.. r.RunsMs.Select(x => (JsonNode)Math.Round(x, 5))]),
                    ["foreign_cpu_s_runs"] = new JsonArray([
                        .. r.ForeignCpuSeconds.Select(x => (JsonNode)Math.Round(x, 3)),
                    ]),
                    ["clean_runs"] = r.CleanRuns,
                    ["bytes_per_step"] = r.BytesPerStep,
                    ["activation_and_gradient_bytes"] = actGrad,
                    ["bytes_ratio"] = Math.Round(ratio, 3),
                    ["result"] = r.Result,
                    ["note"] = w.Note,
                }
            );
        }
        foreach (var n in notes)
            log.WriteLine("note: " + n);
        var report = new JsonObject
        {
            ["command"] = "bench",
            ["processor_count"] = Environment.ProcessorCount,
            ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["repeats"] = repeats,
            ["timing"] =
                "wall time of the training fold (Train.Run: batch gathering + Train.Step), data loading and initialisation outside; median of the clean repeats (other processes below 0.1 core, as the peers' harness), up to 2 disturbed repeats re-run",
            ["workloads"] = rows,
            ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode)n)]),
        };
        JsonFiles.Write(outFile, report);
        log.WriteLine($"wrote {outFile}");
        return 0;
    }

    static List<string> Expand(string list)
    {
        var result = new List<string>();
        foreach (var raw in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "optimizers")
                result.AddRange(Optimizers.Select(o => "optimizers-" + o));
            else if (Workloads.Names.Contains(raw, StringComparer.Ordinal))
                result.Add(raw);
            else
                throw new UsageException(
                    $"--workloads: expected digits-bn, two-layer, optimizers, optimizers-<name>, regression or convnet, got '{raw}'"
                );
        }
        return result;
    }

    sealed record Measured(
        long Steps,
        double MedianMs,
        double BestMs,
        double[] RunsMs,
        double[] ForeignCpuSeconds,
        int CleanRuns,
        long BytesPerStep,
        string Result
    );

    /// <summary>Runs the workload <paramref name="repeats"/> times from its initial state; returns ms/step.</summary>
    static Measured Measure(Workload w, int repeats, long steps, bool waitQuiet)
    {
        // Data preparation outside the timer, like the peers' in-memory arrays: a large data set gets its
        // row-major copy for gathering now rather than in the first timed step.
        _ = Mat.Rows(w.Train.X, [0]);
        // Like the peers' harness: wait for a quiet machine before each repeat, re-run up to two repeats that other
        // processes disturbed, and take the median over the clean ones when there are enough of them.
        var runs = new List<(double Ms, double Foreign, bool Clean)>();
        long bytes = 0;
        TrainState last = w.Start();
        double lastLoss = double.NaN;
        const int MaxExtra = 2;
        while (runs.Count(x => x.Clean) < repeats && runs.Count < repeats + MaxExtra)
        {
            if (waitQuiet)
            {
                CpuProbe.WaitQuiet();
                // The quiet check sleeps: bring the core (clock, caches, GEMM workers) back up with 0.2 s of
                // untimed steps from a throwaway state, as a benchmark harness's warm-up would.
                var warm = Stopwatch.GetTimestamp();
                foreach (var _ in Train.Steps(w.Net, w.Opt, w.Start(), w.Train, w.Batches, steps, gc: GcPacing.Nursery))
                    if (Stopwatch.GetElapsedTime(warm).TotalSeconds > 0.2)
                        break;
            }
            var s = w.Start();
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var probe = CpuProbe.Start();
            // The library's training fold (Train.Run: Train.Step per batch, GC nursery pacing, dead states'
            // arrays recycled).
            var end = Train.Run(w.Net, w.Opt, s, w.Train, w.Batches, s.Step + steps, gc: GcPacing.Nursery);
            s = end.State;
            lastLoss = end.Loss;
            var (wall, foreign) = probe.Stop();
            runs.Add((wall * 1000.0 / steps, foreign, foreign <= CpuProbe.ForeignLimit * wall));
            bytes = (GC.GetAllocatedBytesForCurrentThread() - a0) / steps;
            last = s;
        }
        var clean = runs.Where(x => x.Clean).Select(x => x.Ms).ToArray();
        var sorted = (clean.Length >= repeats ? clean : [.. runs.Select(x => x.Ms)]).Order().ToArray();
        var median =
            sorted.Length % 2 == 1
                ? sorted[sorted.Length / 2]
                : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        string result;
        if (w.Train.IsClassification)
        {
            var acc = w.Net.Accuracy(last.Params, last.Model, w.Train.X, w.Train.Labels.AsSpan());
            result = FormattableString.Invariant($"last batch loss {lastLoss:F4}, train acc {acc:F4}");
        }
        else
        {
            var mse = Train.Evaluate(w.Net, last.Params, last.Model, w.Train).Loss;
            result = FormattableString.Invariant($"last batch loss {lastLoss:F4}, eval MSE {mse:F4}");
        }
        return new Measured(
            steps,
            median,
            sorted[0],
            [.. runs.Select(x => x.Ms)],
            [.. runs.Select(x => x.Foreign)],
            clean.Length,
            bytes,
            result
        );
    }

    /// <summary>
    /// Bytes of one step's activations and gradients (float64): the input batch and every layer's output, plus
    /// every parameter gradient, the gradient of the scores and of every layer's input except the first layer's
    /// (a training step has no use for the gradient of the data).
    /// </summary>
    public static long ActivationAndGradientBytes(Workload w)
    {
        long b = w.Batches.BatchSize;
        long act = b * w.Net.Inputs;
        long grad = 0;
        var shape = w.Net.InputShape;
        var i = 0;
        foreach (var layer in w.Net.Layers)
        {
            if (i > 0)
                grad += b * shape.Size; // dX of this layer
            grad += layer.ParamShapes(shape).Sum(a => a.Size);
            shape = layer.OutputShape(shape);
            act += b * shape.Size;
            i++;
        }
        grad += b * shape.Size; // d(scores)
        return 8 * (act + grad);
    }
}
