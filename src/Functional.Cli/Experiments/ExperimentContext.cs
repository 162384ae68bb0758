using Functional.Core;
using Functional.Data;

namespace Functional.Cli.Experiments;

/// <summary>
/// What a run of an experiment is given: where to write, the seed, the data source and the shrink settings.
/// <see cref="Quick"/> picks each experiment's small preset; an explicit override (e.g. <see cref="Iterations"/>)
/// wins over both presets.
/// </summary>
public sealed record ExperimentContext(string OutDir, ulong Seed, TextWriter Log)
{
    public bool Quick { get; init; }

    /// <summary>The image set named by --dataset; null when none was given (Fashion-MNIST, the default).</summary>
    public string? Dataset { get; init; }
    public string? DataDir { get; init; }
    public int? Iterations { get; init; }
    public int? Epochs { get; init; }
    public int? Trials { get; init; }
    public int? TrainSize { get; init; }
    public int? Batch { get; init; }

    /// <summary>Write into an output directory that holds another run's results.</summary>
    public bool Overwrite { get; init; }

    /// <summary>How many independent runs train at once (results never depend on it).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    public Key Key => Key.Of(Seed);

    /// <summary>The value of a setting: the override if given, else the quick or the full preset.</summary>
    public int Pick(int? overrideValue, int full, int quick) => overrideValue ?? (Quick ? quick : full);

    /// <summary>The image data set, its training part cut to the first <paramref name="trainSize"/> images.</summary>
    public TrainTest Images(int? trainSize = null)
    {
        var d = DataSources.Load(Dataset ?? "fashion-mnist", DataDir, Seed);
        if (Dataset is null && DataDir is not null)
        {
            // MNIST and Fashion-MNIST files look alike: without --dataset the sets are named after the folder given,
            // so MNIST read with the default is not reported as Fashion-MNIST.
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(DataDir)));
            d = new TrainTest(d.Train with { Name = $"{name}-train" }, d.Test with { Name = $"{name}-test" });
            Log.WriteLine(
                $"{DataDir}: read as IDX image files (no --dataset given), named {d.Train.Name} and {d.Test.Name}"
            );
        }
        return trainSize is int n ? d with { Train = d.Train.Take(n) } : d;
    }

    public string File(string name) => Path.Combine(OutDir, name);
}
