using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Functional.Cli.Experiments;
using Functional.Cli.Reporting;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>`experiment NAME`: runs one experiment of the seed chapters, writing report.json and its figures.</summary>
public sealed class ExperimentCommand : ICliCommand
{
    public static IReadOnlyList<IExperiment> All { get; } =
    [
        new BatchNormExperiment(),
        new OptimizersExperiment(),
        new InitExperiment(),
        new TwoLayerExperiment(),
        new RegressionExperiment(),
        new RegularizationExperiment(),
        new HyperparametersExperiment(),
        new GradientDescentExperiment(),
        new ConvNetExperiment(),
    ];

    public static string Names => string.Join(", ", All.Select(e => e.Name));

    /// <summary>The experiments that take a knob, for its option's help (read off each experiment's <see cref="IExperiment.Knobs"/>).</summary>
    static string Taking(Knobs knob) => string.Join(", ", All.Where(e => e.Knobs.HasFlag(knob)).Select(e => e.Name));

    public Command Build()
    {
        var name = new Argument<string>("name") { Description = $"one of {Names}" };
        var data = new CliOption("--data")
        {
            Description = "directory with the IDX files (default: data/fashion-mnist-mini)",
        };
        var dataset = new CliOption("--dataset")
        {
            Description =
                "fashion-mnist | mnist (default fashion-mnist; with --data and no --dataset, the sets are named after the folder)",
        };
        var outDir = new CliOption("--out")
        {
            Description = "output directory (default runs/experiment-<name>-<timestamp>)",
        };
        var seed = new CliOption("--seed") { Description = "random seed (default 1)" };
        var quick = new System.CommandLine.Option<bool>("--quick")
        {
            Description = "a small preset that runs in seconds",
        };
        var iterations = new CliOption("--iterations") { Description = $"training steps ({Taking(Knobs.Iterations)})" };
        var epochs = new CliOption("--epochs") { Description = $"epochs ({Taking(Knobs.Epochs)})" };
        var trials = new CliOption("--trials") { Description = $"random-search trials ({Taking(Knobs.Trials)})" };
        var trainSize = new CliOption("--train-size")
        {
            Description = $"training images used ({Taking(Knobs.TrainSize)})",
        };
        var batch = new CliOption("--batch") { Description = $"batch size ({Taking(Knobs.Batch)})" };
        var overwrite = new System.CommandLine.Option<bool>("--overwrite")
        {
            Description = "replace the results of an earlier run",
        };
        var cmd = new Command("experiment", "Run an experiment of the book's chapters 4-7 and draw its figures.")
        {
            name,
            data,
            dataset,
            outDir,
            seed,
            quick,
            iterations,
            epochs,
            trials,
            trainSize,
            batch,
            overwrite,
        };
        foreach (var e in All)
            cmd.Description += $"\n  {e.Name, -16} {e.Description}";
        cmd.SetAction(r =>
        {
            var n = r.GetValue(name)!;
            int? Int(CliOption o, string flag) =>
                r.GetValue(o) is string v ? TrainConfig.Parse.PositiveInt(flag, v) : null;
            var ctx = new ExperimentContext(
                r.GetValue(outDir) ?? Cli.DefaultOut($"experiment-{n}"),
                r.GetValue(seed) is string s ? TrainConfig.Parse.Seed(s) : 1,
                Console.Out
            )
            {
                Quick = r.GetValue(quick),
                Overwrite = r.GetValue(overwrite),
                DataDir = r.GetValue(data),
                Dataset = r.GetValue(dataset) is string ds
                    ? TrainConfig.Parse.OneOf("--dataset", ds, "fashion-mnist", "mnist")
                    : null,
                Iterations = Int(iterations, "--iterations"),
                Epochs = Int(epochs, "--epochs"),
                Trials = Int(trials, "--trials"),
                TrainSize = Int(trainSize, "--train-size"),
                Batch = Int(batch, "--batch"),
            };
            return Run(n, ctx);
        });
        return cmd;
    }

    public static IExperiment Find(string name) =>
        All.FirstOrDefault(e => e.Name == name)
        ?? throw new UsageException($"experiment: unknown name '{name}'; expected one of {Names}");

    /// <summary>Runs an experiment and writes report.json (the experiment's report plus a "timing" object).</summary>
    public static int Run(string name, ExperimentContext ctx)
    {
        var e = Find(name);
        RequireKnob(e, Knobs.Iterations, ctx.Iterations, "--iterations");
        RequireKnob(e, Knobs.Epochs, ctx.Epochs, "--epochs");
        RequireKnob(e, Knobs.Trials, ctx.Trials, "--trials");
        RequireKnob(e, Knobs.TrainSize, ctx.TrainSize, "--train-size");
        RequireKnob(e, Knobs.Batch, ctx.Batch, "--batch");
        if (e.Name == "batchnorm" && ctx.Batch == 1)
            throw new UsageException(
                "--batch 1: the batchnorm experiment trains BatchNorm, which needs at least 2 samples per batch; use --batch 2 or more"
            );
        ctx = ctx with { OutDir = OutputLocation.Directory(ctx.OutDir, ctx.Overwrite) };
        ctx.Log.WriteLine($"experiment {e.Name}: {e.Description}");
        var wall = Stopwatch.StartNew();
        var report = e.Run(ctx with { Log = TextWriter.Synchronized(ctx.Log) });
        report["timing"] = new JsonObject
        {
            ["wall_seconds"] = Math.Round(wall.Elapsed.TotalSeconds, 3),
            ["processor_count"] = Environment.ProcessorCount,
            ["parallel_runs"] = ctx.Parallelism,
        };
        var path = Path.Combine(ctx.OutDir, "report.json");
        JsonFiles.Write(path, report);
        ctx.Log.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"done in {wall.Elapsed.TotalSeconds:F1} s; wrote {path}")
                + $" and {string.Join(", ", Directory.GetFiles(ctx.OutDir, "*.png").Select(Path.GetFileName).Order(StringComparer.Ordinal))}"
        );
        return 0;
    }

    static void RequireKnob(IExperiment e, Knobs knob, int? value, string flag)
    {
        if (value is not null && !e.Knobs.HasFlag(knob))
            throw new UsageException(
                $"{flag}: experiment {e.Name} does not take it"
                    + (e.Knobs == Knobs.None ? " (it takes no shrink options)" : $" (it takes {Flags(e.Knobs)})")
            );
    }

    static string Flags(Knobs k) =>
        string.Join(
            ", ",
            new[]
            {
                (Knobs.Iterations, "--iterations"),
                (Knobs.Epochs, "--epochs"),
                (Knobs.Trials, "--trials"),
                (Knobs.TrainSize, "--train-size"),
                (Knobs.Batch, "--batch"),
            }
                .Where(p => k.HasFlag(p.Item1))
                .Select(p => p.Item2)
        );
}
