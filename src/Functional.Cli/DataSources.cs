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
        return limitTrain is int n && n < data.Train.Count ? data with { Train = data.Train.Take(n) } : data;
    }

    /// <summary>The bundled digits, or the CSV named by --data (a file, or a folder holding digits.csv.gz).</summary>
    static TrainTest Digits(string? dataDir, ulong seed) =>
        dataDir is null ? DataSets.Digits(seed) : Unwrap(DataSets.Load("digits", dataDir, seed));

    static T Unwrap<T>(LanguageExt.Fin<T> fin) =>
        fin.Match(Succ: x => x, Fail: e => throw new UsageException(e.Message));
}
