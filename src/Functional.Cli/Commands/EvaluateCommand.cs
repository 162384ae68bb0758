using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Functional.Training;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>`evaluate --model FILE`: loss and accuracy of a saved model (the seeds' "inference with stored weights").</summary>
public static class EvaluateCommand
{
    public static Command Build()
    {
        var model = new CliOption("--model")
        {
            Description = "a checkpoint written by train (model.ckpt)",
            Required = true,
        };
        var dataset = new CliOption("--dataset")
        {
            Description = "dataset to evaluate on (default: the one it was trained on)",
        };
        var data = new CliOption("--data") { Description = "directory with the data files" };
        var cmd = new Command("evaluate", "Print the loss and accuracy of a saved model.") { model, dataset, data };
        cmd.SetAction(r => Run(r.GetValue(model)!, r.GetValue(dataset), r.GetValue(data), Console.Out));
        return cmd;
    }

    public static int Run(string modelPath, string? dataset, string? dataDir, TextWriter log)
    {
        var c = Checkpoint.Load(modelPath).Match(Succ: x => x, Fail: e => throw new UsageException(e.Message));
        var cfg = c.Meta["config"] is JsonObject o
            ? TrainConfig.FromJsonValidated(o, $"--model {modelPath}: ")
            : TrainConfig.Default;
        var name = dataset is null ? cfg.Dataset : TrainConfig.Parse.OneOf("--dataset", dataset, DataSources.Names);
        var data = DataSources.LoadFor(
            dataDir is null && dataset is null ? $"--model {modelPath}" : null,
            name,
            dataDir ?? (dataset is null ? cfg.DataDir : null),
            cfg.Seed
        );
        if (data.Test.Features != c.Net.Inputs)
            throw new UsageException(
                $"--model {modelPath}: the network takes {c.Net.Inputs} features, {name} has {data.Test.Features}"
            );
        var outputs = data.Test.IsClassification ? data.Test.ClassNames.Length : data.Test.T.ColumnCount;
        if (c.Net.Outputs != outputs)
            throw new UsageException(
                $"--model {modelPath}: the network has {c.Net.Outputs} outputs, {name} has {outputs} {(data.Test.IsClassification ? "classes" : "targets")}"
            );
        foreach (var (label, set) in new[] { ("train", data.Train), ("test", data.Test) })
        {
            var m = Train.Evaluate(c.Net, c.State.Params, c.State.Model, set);
            log.WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"{label, -5} {set.Count, 6} samples  loss {m.Loss:F4}")
                    + (
                        double.IsFinite(m.Accuracy)
                            ? string.Create(CultureInfo.InvariantCulture, $"  accuracy {m.Accuracy:F4}")
                            : ""
                    )
            );
        }
        return 0;
    }
}
