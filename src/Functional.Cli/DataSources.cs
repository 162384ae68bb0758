using Functional.Core;
using Functional.Data;
using Functional.Training;

namespace Functional.Cli;

/// <summary>Resolves the CLI's dataset names to loaded, preprocessed train/test sets.</summary>
public static class DataSources
{
    public static readonly string[] Names = [.. DataSets.Names];

    /// <summary>The repository's data/ folder: found from the working directory or from the tool's location.</summary>
    public static string RepoData(string file)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", file);
                if (File.Exists(candidate) || Directory.Exists(candidate))
                    return candidate;
            }
        }
        throw new UsageException(
            $"cannot find data/{file} above the working directory; run from the repository or pass --data DIR"
        );
    }

    /// <summary>Loads a dataset; a missing or malformed file is a <see cref="UsageException"/> naming it.</summary>
    public static TrainTest Load(string name, string? dataDir, ulong seed, int? limitTrain = null)
    {
        var data = name switch
        {
            "digits" => Digits(dataDir, seed),
            "fashion-mnist" => Unwrap(FashionMnist.Load(dataDir ?? RepoData("fashion-mnist-mini"), new MnistOptions())),
            "mnist" => Unwrap(
                Mnist.Load(
                    dataDir
                        ?? throw new UsageException(
                            "--dataset mnist needs --data DIR holding the four MNIST IDX files (no MNIST copy ships with the repository)"
                        ),
                    new MnistOptions()
                )
            ),
            "regression" => DataSets.Regression(),
            _ => throw new UsageException($"--dataset: '{name}' is not one of {string.Join(", ", Names)}"),
        };
        return Usable(
            limitTrain is int n && n < data.Train.Count ? data with { Train = data.Train.Take(n) } : data,
            name,
            dataDir
        );
    }

    /// <summary><see cref="Load"/> for a configuration read from a checkpoint (<paramref name="from"/>, e.g.
    /// "--resume FILE"): a failure says where the data location came from and how to give another.</summary>
    public static TrainTest LoadFor(string? from, string name, string? dataDir, ulong seed, int? limitTrain = null)
    {
        if (from is null)
            return Load(name, dataDir, seed, limitTrain);
        try
        {
            return Load(name, dataDir, seed, limitTrain);
        }
        catch (UsageException e)
        {
            throw new UsageException($"{from}: the stored data set: {e.Message} (give --data DIR)");
        }
    }

    /// <summary>What training and evaluation need of any data set: samples on both sides, at least one feature,
    /// the same features in both, and labels inside the class list.</summary>
    static TrainTest Usable(TrainTest d, string name, string? dataDir)
    {
        var where = dataDir ?? name;
        void Check(bool ok, string what)
        {
            if (!ok)
                throw new UsageException($"{where}: {what}");
        }
        Check(d.Train.Count > 0, $"the {name} training set holds no samples");
        Check(d.Test.Count > 0, $"the {name} test set holds no samples (too few rows to split off a test set?)");
        Check(d.Train.Features > 0, $"the {name} samples have no features (images of 0 rows or columns?)");
        Check(
            d.Test.Features == d.Train.Features,
            $"the {name} test samples have {d.Test.Features} features, the training samples {d.Train.Features} (images of another size?)"
        );
        if (d.Train.IsClassification)
            Check(
                d.Train.ClassNames.Length >= 2,
                $"the {name} data set has {d.Train.ClassNames.Length} class(es); classification needs 2 or more"
            );
        return d;
    }

    /// <summary>The bundled digits, or the CSV named by --data (a file, or a folder holding digits.csv.gz).</summary>
    static TrainTest Digits(string? dataDir, ulong seed) =>
        dataDir is null ? DataSets.Digits(seed) : Unwrap(DataSets.Load("digits", dataDir, seed));

    static T Unwrap<T>(LanguageExt.Fin<T> fin) =>
        fin.Match(Succ: x => x, Fail: e => throw new UsageException(e.Message));
}
