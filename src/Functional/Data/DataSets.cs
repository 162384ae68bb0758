using Functional.Core;
using LanguageExt;
using LanguageExt.Common;

namespace Functional.Data;

/// <summary>
/// The data sets by name, loaded and split exactly as the <c>fnn</c> tool does, so a library program trains on the
/// same samples as <c>fnn train</c>. Expected failures (a missing or malformed file) are a <see cref="Fin{A}"/>
/// whose error names the file and the problem.
/// </summary>
public static class DataSets
{
    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static readonly Seq<string> Names = Prelude.Seq("digits", "fashion-mnist", "mnist", "regression");

    /// <summary>The fraction of the digits held out for testing (scikit-learn's default: 1797 → 450 test rows).</summary>
    public const double DigitsTestFraction = 0.25;

    /// <summary>Name of the bundled digits in error messages.</summary>
    public const string BundledDigitsName = "digits.csv.gz (bundled)";

    /// <summary>
    /// The 8×8 digits bundled with the library (the repository's <c>data/digits.csv.gz</c>), standardised over the
    /// whole array and split 75/25 by a permutation drawn from <paramref name="seed"/>: 1347 training and 450 test
    /// samples, the split of <c>fnn train --seed <paramref name="seed"/></c>.
    /// </summary>
    public static TrainTest Digits(ulong seed = 1)
    {
        using var stream =
            typeof(DataSets).Assembly.GetManifestResourceStream("Functional.Data.digits.csv.gz")
            ?? throw new InvalidOperationException("the bundled digits resource is missing from Functional.dll");
        return FileInput
            .Read(BundledDigitsName, stream, Data.Digits.Parse)
            .Map(all => SplitDigits(all, seed))
            .Match(Succ: d => d, Fail: e => throw new InvalidOperationException(e.Message));
    }

    /// <summary>The digits read from a CSV file (optionally gzip; see <see cref="Data.Digits"/>), standardised and
    /// split as <see cref="Digits(ulong)"/>.</summary>
    public static Fin<TrainTest> Digits(string path, ulong seed) =>
        Data.Digits.Load(path).Map(all => SplitDigits(all, seed));

    static TrainTest SplitDigits(Dataset raw, ulong seed)
    {
        var all = Data.Digits.Standardize(raw);
        var perm = Sampling.Permutation(Key.Of(seed).FoldIn(KeyPurpose.Split), all.Count);
        return Data.Digits.Split(all, perm, Splits.TestCount(all.Count, DigitsTestFraction));
    }

    /// <summary>Fashion-MNIST from a folder holding the four IDX files (optionally gzip), pixels scaled to [0, 1],
    /// flattened to 784 features, labels one-hot.</summary>
    public static Fin<TrainTest> FashionMnist(string dir) => Data.FashionMnist.Load(dir, new MnistOptions());

    /// <summary>MNIST from a folder holding the four IDX files, prepared as <see cref="FashionMnist"/>.</summary>
    public static Fin<TrainTest> Mnist(string dir) => Data.Mnist.Load(dir, new MnistOptions());

    /// <summary>The Flux BatchNorm regression curve: all 300 points train, and the test set is the same curve (the
    /// example evaluates on it).</summary>
    public static TrainTest Regression()
    {
        var d = Data.Regression.Flux();
        return new TrainTest(d, d);
    }

    /// <summary>
    /// A data set by name (one of <see cref="Names"/>). <paramref name="dir"/> is the folder of IDX files for
    /// <c>fashion-mnist</c> and <c>mnist</c> (required), or a digits CSV file or its folder (optional: the bundled
    /// copy otherwise); <paramref name="seed"/> draws the digits' split.
    /// </summary>
    public static Fin<TrainTest> Load(string name, string? dir, ulong seed) =>
        name switch
        {
            "digits" when dir is null => Digits(seed),
            "digits" => Digits(File.Exists(dir) ? dir : Path.Combine(dir, "digits.csv.gz"), seed),
            "fashion-mnist" or "mnist" when dir is null => Error.New(
                $"{name} needs a folder holding its four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…)"
            ),
            "fashion-mnist" => FashionMnist(dir),
            "mnist" => Mnist(dir),
            "regression" => Regression(),
            _ => Error.New($"unknown data set '{name}': expected one of {string.Join(", ", Names)}"),
        };
}
