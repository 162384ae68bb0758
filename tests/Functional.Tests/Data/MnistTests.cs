using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

/// <summary>Loader behaviour on small MNIST-format directories written by the test.</summary>
public sealed class MnistTests : IDisposable
{
    private readonly TempDir tmp = new();

    public void Dispose() => tmp.Dispose();

    private void WriteSet(
        byte[] trainImages,
        byte[] trainLabels,
        byte[] testImages,
        byte[] testLabels,
        bool gzip = false
    )
    {
        string ext = gzip ? ".gz" : "";
        byte[] Pack(byte[] b) => gzip ? IdxBytes.Gzip(b) : b;
        tmp.Write("train-images-idx3-ubyte" + ext, Pack(trainImages));
        tmp.Write("train-labels-idx1-ubyte" + ext, Pack(trainLabels));
        tmp.Write("t10k-images-idx3-ubyte" + ext, Pack(testImages));
        tmp.Write("t10k-labels-idx1-ubyte" + ext, Pack(testLabels));
    }

    [Fact]
    public void Builds_X_row_major_per_sample_with_one_hot_targets()
    {
        var images = IdxBytes.Images(3);
        WriteSet(images, IdxBytes.Labels(2, 0, 9), images, IdxBytes.Labels(1, 1, 1));
        var tt = FinAssert.Succ(Mnist.Load(tmp.Path, new MnistOptions()));
        var x = tt.Train.X;
        Assert.Equal((3, 6), (x.RowCount, x.ColumnCount));
        for (int i = 0; i < 3; i++)
        for (int j = 0; j < 6; j++)
            Assert.Equal(images[16 + i * 6 + j] / 255.0, x[i, j]);
        Assert.Equal([2, 0, 9], tt.Train.Labels.ToArray());
        for (int i = 0; i < 3; i++)
            Assert.Equal(tt.Train.Labels[i], tt.Train.T.RowValues(i).MaximumIndex());
        Assert.All(tt.Train.T.RowSums(), s => Assert.Equal(1.0, s));
        Assert.Equal(Mnist.ClassNames, tt.Train.ClassNames);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], Mnist.ClassNames.ToArray());
    }

    [Fact]
    public void Options_control_scaling_shape_targets_and_limit()
    {
        var images = IdxBytes.Images(4);
        WriteSet(images, IdxBytes.Labels(3, 1, 4, 1), images, IdxBytes.Labels(5, 9, 2, 6));
        var opts = new MnistOptions(Normalize: false, Flatten: false, OneHot: false, Limit: 2);
        var tt = FinAssert.Succ(Mnist.Load(tmp.Path, opts));
        Assert.Equal(2, tt.Test.Count);
        Assert.Equal([2, 3], tt.Test.SampleShape.ToArray());
        Assert.Equal(6, tt.Test.Features);
        Assert.Equal(images[16 + 7], tt.Test.X[1, 1]);
        Assert.Equal(1, tt.Test.T.ColumnCount);
        Assert.Equal([5.0, 9.0], tt.Test.T.Column(0).ToArray());
        var flat = FinAssert.Succ(Mnist.Load(tmp.Path, new MnistOptions()));
        Assert.Equal([6], flat.Test.SampleShape.ToArray());
    }

    [Fact]
    public void Gzip_and_plain_directories_load_identically()
    {
        var images = IdxBytes.Images(3);
        WriteSet(images, IdxBytes.Labels(1, 2, 3), images, IdxBytes.Labels(4, 5, 6));
        var plain = FinAssert.Succ(Mnist.Load(tmp.Path, new MnistOptions()));
        using var other = new TempDir();
        foreach (string f in Directory.GetFiles(tmp.Path))
            other.Write(Path.GetFileName(f) + ".gz", IdxBytes.Gzip(File.ReadAllBytes(f)));
        var gz = FinAssert.Succ(Mnist.Load(other.Path, new MnistOptions()));
        Assert.Equal(plain.Train.X, gz.Train.X);
        Assert.Equal(plain.Test.T, gz.Test.T);
        Assert.Equal(plain.Test.Labels.ToArray(), gz.Test.Labels.ToArray());
    }

    [Fact]
    public void Count_mismatch_names_both_files_and_counts()
    {
        WriteSet(IdxBytes.Images(2), IdxBytes.Labels(1, 2, 3), IdxBytes.Images(1), IdxBytes.Labels(0));
        FinAssert.Fail(
            Mnist.Load(tmp.Path, new MnistOptions()),
            "train-labels-idx1-ubyte",
            "train-images-idx3-ubyte",
            "3 labels",
            "2 images"
        );
    }

    [Fact]
    public void Label_10_names_file_offset_and_value()
    {
        WriteSet(IdxBytes.Images(3), IdxBytes.Labels(0, 9, 10), IdxBytes.Images(1), IdxBytes.Labels(0));
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions()), "train-labels-idx1-ubyte", "label 10", "offset 10");
        // Still rejected when Limit would skip it: validity does not depend on the options.
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions(Limit: 1)), "label 10", "offset 10");
    }

    [Fact]
    public void Wrong_ranks_are_rejected()
    {
        WriteSet(IdxBytes.Make([2, 6], new byte[12]), IdxBytes.Labels(0, 1), IdxBytes.Images(1), IdxBytes.Labels(0));
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions()), "train-images-idx3-ubyte", "3-D");
        WriteSet(IdxBytes.Images(2), IdxBytes.Make([2, 1], [0, 1]), IdxBytes.Images(1), IdxBytes.Labels(0));
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions()), "train-labels-idx1-ubyte", "1-D");
    }

    [Fact]
    public void Missing_file_names_directory_and_file()
    {
        WriteSet(IdxBytes.Images(1), IdxBytes.Labels(0), IdxBytes.Images(1), IdxBytes.Labels(0));
        File.Delete(Path.Combine(tmp.Path, "t10k-labels-idx1-ubyte"));
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions()), tmp.Path, "t10k-labels-idx1-ubyte");
        FinAssert.Fail(Mnist.Load(Path.Combine(tmp.Path, "absent"), new MnistOptions()), "absent");
    }

    [Fact]
    public void A_damaged_file_inside_the_directory_is_reported_by_name()
    {
        var bytes = IdxBytes.Images(2);
        WriteSet(bytes[..^3], IdxBytes.Labels(0, 1), bytes, IdxBytes.Labels(0, 1));
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions()), "train-images-idx3-ubyte", "truncated data");
    }

    [Fact]
    public void Negative_limit_is_an_error()
    {
        WriteSet(IdxBytes.Images(1), IdxBytes.Labels(0), IdxBytes.Images(1), IdxBytes.Labels(0));
        FinAssert.Fail(Mnist.Load(tmp.Path, new MnistOptions(Limit: -1)), "Limit");
    }
}
