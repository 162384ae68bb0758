using System.Text.Json.Nodes;

namespace Functional.Cli.Experiments;

/// <summary>The shrink options an experiment honours; any other one is a usage error, not silently ignored.</summary>
[Flags]
public enum Knobs
{
    None = 0,
    Iterations = 1,
    Epochs = 2,
    Trials = 4,
    TrainSize = 8,
    Batch = 16,
}

/// <summary>
/// One experiment of the seed chapters: it trains or computes, writes its figures into the context's output
/// folder, prints a short table and returns the report. The report must be a pure function of the context
/// (same seed and settings → byte-identical JSON); wall-clock timing is added by the command, outside it.
/// </summary>
public interface IExperiment
{
    string Name { get; }
    string Description { get; }
    Knobs Knobs { get; }
    JsonObject Run(ExperimentContext ctx);
}
