using System.Collections.Immutable;
using LanguageExt;
using LanguageExt.Common;
using static LanguageExt.Prelude;

namespace Functional.Data;

/// <summary>Loads the four standard MNIST-format files (each plain or .gz) from a directory.</summary>
public static class Mnist
{
    /// <summary>"0" to "9", indexed by label.</summary>
    public static readonly ImmutableArray<string> ClassNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>The train and test splits from <paramref name="dir"/> (train-* and t10k-* files), named
    /// <paramref name="name"/>-train and <paramref name="name"/>-test; a missing or malformed file is an error
    /// value.</summary>
    public static Fin<TrainTest> Load(string dir, MnistOptions opts, string name = "mnist") =>
        Load(dir, opts, name, ClassNames);

    /// <summary>Shared by every MNIST-format dataset: they differ only in name and class names.</summary>
    internal static Fin<TrainTest> Load(
        string dir,
        MnistOptions opts,
        string name,
        ImmutableArray<string> classNames
    ) =>
        from limitOk in Check(opts.Limit is null or >= 0, () => $"{name}: Limit must be non-negative, got {opts.Limit}")
        from dirOk in Check(Directory.Exists(dir), () => $"{dir}: {name} directory not found")
        from train in LoadSplit(dir, "train", opts, $"{name}-train", classNames)
        from test in LoadSplit(dir, "t10k", opts, $"{name}-test", classNames)
        select new TrainTest(train, test);

    private static Fin<Dataset> LoadSplit(
        string dir,
        string prefix,
        MnistOptions opts,
        string name,
        ImmutableArray<string> classNames
    ) =>
        from imagesPath in Locate(dir, $"{prefix}-images-idx3-ubyte")
        from labelsPath in Locate(dir, $"{prefix}-labels-idx1-ubyte")
        // Bytes, then ints and one-hot rows (labels); bytes, then doubles (images): refused up front when that much
        // memory is not available.
        from labels in Idx.Read(labelsPath, (_, n) => n * (1 + 4 + 8 * classNames.Length))
        from labels1D in Check(
            labels.Dims.Length == 1,
            () => $"{labelsPath}: labels must be 1-D, got dims [{string.Join(", ", labels.Dims)}]"
        )
        from images in Idx.Read(imagesPath, (_, n) => n * (1 + 8))
        from images3D in Check(
            images.Dims.Length == 3,
            () => $"{imagesPath}: images must be 3-D (count, rows, cols), got dims [{string.Join(", ", images.Dims)}]"
        )
        from sameCount in Check(
            images.Dims[0] == labels.Dims[0],
            () => $"{labelsPath} holds {labels.Dims[0]} labels but {imagesPath} holds {images.Dims[0]} images"
        )
        from ys in CheckedLabels(labelsPath, labels, classNames.Length)
        select Build(name, images, ys[..Math.Min(ys.Length, opts.Limit ?? int.MaxValue)], opts, classNames);

    private static Dataset Build(
        string name,
        IdxArray images,
        int[] labels,
        MnistOptions opts,
        ImmutableArray<string> classNames
    )
    {
        int rows = images.Dims[1],
            cols = images.Dims[2],
            features = rows * cols;
        var lut = new double[256];
        for (int b = 0; b < lut.Length; b++)
            lut[b] = opts.Normalize ? b / 255.0 : b;
        var x = Dense.FromBytes(images.Data.AsSpan(0, labels.Length * features), labels.Length, features, lut);
        var t = opts.OneHot ? Functional.Core.Mat.OneHot(labels, classNames.Length) : Dense.Column(labels);
        return new Dataset(name, x, t, [.. labels], classNames)
        {
            SampleShape = opts.Flatten ? [features] : [rows, cols],
        };
    }

    /// <summary>All labels are checked, even past Limit, so a file is valid or not whatever the options.</summary>
    private static Fin<int[]> CheckedLabels(string path, IdxArray labels, int classes)
    {
        var span = labels.Data.AsSpan();
        var result = new int[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            if (span[i] >= classes)
                return Error.New(
                    $"{path}: label {span[i]} at offset {labels.HeaderLength + i} is outside 0..{classes - 1}"
                );
            result[i] = span[i];
        }
        return result;
    }

    private static Fin<string> Locate(string dir, string file)
    {
        string plain = Path.Combine(dir, file),
            gz = plain + ".gz";
        // Explicit Succ: string converts implicitly to Error, so a bare conditional would make the path an error.
        return File.Exists(plain) ? Fin<string>.Succ(plain)
            : File.Exists(gz) ? Fin<string>.Succ(gz)
            : Fin<string>.Fail(Error.New($"{dir}: missing {file} (or {file}.gz)"));
    }

    internal static Fin<Unit> Check(bool ok, Func<string> message) => ok ? unit : Error.New(message());
}
