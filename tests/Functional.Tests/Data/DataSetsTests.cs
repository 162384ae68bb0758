using Functional.Core;
using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

public class DataSetsTests
{
    [Fact]
    public void Bundled_digits_are_the_repository_file_split_as_train_does()
    {
        var bundled = DataSets.Digits(seed: 1);
        var fromFile = FinAssert.Succ(DataSets.Digits(RepoData.Path("digits.csv.gz"), seed: 1));
        Assert.Equal((1347, 450, 64), (bundled.Train.Count, bundled.Test.Count, bundled.Train.Features));
        Assert.True(Mat.BitwiseEqual(fromFile.Train.X, bundled.Train.X));
        Assert.True(Mat.BitwiseEqual(fromFile.Test.X, bundled.Test.X));
        Assert.Equal(fromFile.Train.Labels.ToArray(), bundled.Train.Labels.ToArray());
    }

    [Fact]
    public void The_seed_draws_the_split()
    {
        var a = DataSets.Digits(seed: 1);
        var b = DataSets.Digits(seed: 2);
        Assert.Equal(a.Train.Count, b.Train.Count);
        Assert.NotEqual(a.Train.Labels.ToArray(), b.Train.Labels.ToArray());
        Assert.True(Mat.BitwiseEqual(a.Train.X, DataSets.Digits(seed: 1).Train.X));
    }

    [Fact]
    public void Load_by_name_matches_the_named_loaders()
    {
        var digits = FinAssert.Succ(DataSets.Load("digits", null, 1));
        Assert.True(Mat.BitwiseEqual(DataSets.Digits(1).Test.X, digits.Test.X));
        var folder = FinAssert.Succ(
            DataSets.Load("digits", System.IO.Path.GetDirectoryName(RepoData.Path("digits.csv.gz")), 1)
        );
        Assert.True(Mat.BitwiseEqual(digits.Train.X, folder.Train.X));
        var fashion = FinAssert.Succ(DataSets.Load("fashion-mnist", RepoData.Path("fashion-mnist-mini"), 1));
        Assert.Equal(784, fashion.Train.Features);
        Assert.Equal(300, FinAssert.Succ(DataSets.Load("regression", null, 1)).Train.Count);
    }

    [Theory]
    [InlineData("cifar", null, "unknown data set 'cifar'")]
    [InlineData("mnist", null, "mnist needs a folder")]
    [InlineData("digits", "/nonexistent/digits.csv", "/nonexistent/digits.csv")]
    public void Load_failures_are_one_line_naming_the_problem(string name, string? dir, string fragment) =>
        FinAssert.Fail(DataSets.Load(name, dir, 1), fragment);
}
