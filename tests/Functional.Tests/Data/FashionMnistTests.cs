using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

/// <summary>The shipped 2000/500-image Fashion-MNIST sample in data/fashion-mnist-mini.</summary>
public sealed class FashionMnistTests
{
    private static readonly string Dir = RepoData.Path("fashion-mnist-mini");

    [Fact]
    public void Mini_set_has_expected_shapes_values_and_names()
    {
        var tt = FinAssert.Succ(FashionMnist.Load(Dir, new MnistOptions()));
        Assert.Equal((2000, 784), (tt.Train.Count, tt.Train.Features));
        Assert.Equal((500, 784), (tt.Test.Count, tt.Test.Features));
        Assert.Equal((2000, 10), (tt.Train.T.RowCount, tt.Train.T.ColumnCount));
        Assert.All(tt.Train.X.Enumerate(), v => Assert.InRange(v, 0.0, 1.0));
        Assert.True(tt.Train.X.Enumerate().Max() > 0.99, "some pixel should be near full intensity");
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
        Assert.Equal(10, tt.Train.ClassNames.Length);
        Assert.Equal(FashionMnist.ClassNames, tt.Test.ClassNames);
        Assert.All(tt.Train.Labels, l => Assert.InRange(l, 0, 9));
        Assert.Equal(10, tt.Train.Labels.Distinct().Count());
        for (int i = 0; i < tt.Train.Count; i += 97)
            Assert.Equal(tt.Train.Labels[i], tt.Train.T.RowValues(i).MaximumIndex());
    }

    [Fact]
    public void Raw_values_are_the_normalised_ones_times_255()
    {
        var norm = FinAssert.Succ(FashionMnist.Load(Dir, new MnistOptions(Limit: 50)));
        var raw = FinAssert.Succ(FashionMnist.Load(Dir, new MnistOptions(Normalize: false, Limit: 50)));
        Assert.Equal(50, raw.Train.Count);
        Assert.All(raw.Train.X.Enumerate(), v => Assert.Equal(Math.Round(v), v));
        Assert.True(raw.Train.X.Enumerate().Max() > 1);
        Assert.True((raw.Train.X.DivideLikeMathNet(255.0) - norm.Train.X).Enumerate().All(d => Math.Abs(d) < 1e-15));
    }
}
