using System.Globalization;
using Functional.Data;
using Xunit;

namespace Functional.Tests.Data;

public sealed class DigitsTests
{
    private static readonly Dataset Loaded = FinAssert.Succ(Digits.Load(RepoData.Path("digits.csv.gz")));

    [Fact]
    public void Loads_1797_samples_of_64_pixels_with_one_hot_targets()
    {
        Assert.Equal((1797, 64), (Loaded.Count, Loaded.Features));
        Assert.Equal((1797, 10), (Loaded.T.RowCount, Loaded.T.ColumnCount));
        Assert.All(Loaded.X.Enumerate(), v => Assert.True(v is >= 0 and <= 16 && v == Math.Round(v)));
        var counts = Enumerable.Range(0, 10).Select(c => Loaded.Labels.Count(l => l == c)).ToArray();
        Assert.Equal(1797, counts.Sum());
        Assert.All(counts, c => Assert.True(c > 0));
        for (int i = 0; i < Loaded.Count; i++)
            Assert.Equal(Loaded.Labels[i], Loaded.T.RowValues(i).MaximumIndex());
        Assert.True(Loaded.IsClassification);
    }

    [Fact]
    public void Standardize_gives_whole_array_mean_0_and_std_1()
    {
        var s = Digits.Standardize(Loaded);
        var all = s.X.Enumerate().ToArray();
        double mean = all.Average();
        double std = Math.Sqrt(all.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -1e-12, 1e-12);
        Assert.InRange(std, 1 - 1e-12, 1 + 1e-12);
        // Whole-array, not per-column: per-column means stay different from each other.
        Assert.True(s.X.ColumnSums().Enumerate().Select(Math.Abs).Max() > 1);
        Assert.Equal(Loaded.T, s.T);
    }

    [Fact]
    public void Standardize_is_an_affine_map_of_the_raw_values_and_reproducible()
    {
        var a = Digits.Standardize(Loaded);
        var b = Digits.Standardize(Loaded);
        Assert.Equal(a.X.ToColumnMajorArray(), b.X.ToColumnMajorArray());
        // Equal raw values map to equal standardised values, ordered the same way.
        var raw = Loaded.X.ToColumnMajorArray();
        var std = a.X.ToColumnMajorArray();
        var images = raw.Zip(std, (r, s) => (Raw: r, Std: s))
            .GroupBy(p => p.Raw, p => p.Std)
            .OrderBy(g => g.Key)
            .ToArray();
        Assert.All(images, g => Assert.Single(g.Distinct()));
        var mapped = images.Select(g => g.First()).ToArray();
        Assert.True(mapped.Zip(mapped.Skip(1), (a, b) => a < b).All(up => up));
    }

    [Fact]
    public void Split_with_a_permutation_gives_1347_train_450_test_disjoint()
    {
        var perm = Enumerable.Range(0, Loaded.Count).Reverse().ToArray();
        int testCount = Splits.TestCount(Loaded.Count, 0.25);
        var tt = Digits.Split(Loaded, perm, testCount);
        Assert.Equal((1347, 450), (tt.Train.Count, tt.Test.Count));
        // Test rows are perm[0..450) in order: the last rows of the file, reversed.
        Assert.Equal(Loaded.X.RowValues(1796), tt.Test.X.RowValues(0));
        Assert.Equal(Loaded.X.RowValues(perm[450]), tt.Train.X.RowValues(0));
        Assert.Equal(perm[..450].Select(i => Loaded.Labels[i]), tt.Test.Labels);
        Assert.Empty(perm[..450].Intersect(perm[450..]));
    }

    [Fact]
    public void Malformed_line_names_file_line_and_column()
    {
        using var tmp = new TempDir();
        string good = string.Join(',', Enumerable.Repeat("1", 64)) + ",3";
        string bad =
            string.Join(',', Enumerable.Repeat("2", 10)) + ",x," + string.Join(',', Enumerable.Repeat("2", 53)) + ",4";
        string file = tmp.WriteText("bad.csv", $"{good}\n{good}\n{bad}\n");
        FinAssert.Fail(Digits.Load(file), "bad.csv", "line 3", "column 11");
        string shortLine = tmp.WriteText("short.csv", $"{good}\n1,2,3\n");
        FinAssert.Fail(Digits.Load(shortLine), "short.csv", "line 2", "column");
        string badLabel = tmp.WriteText("label.csv", string.Join(',', Enumerable.Repeat("0", 64)) + ",12\n");
        FinAssert.Fail(Digits.Load(badLabel), "label.csv", "line 1", "column 65");
    }

    [Fact]
    public void Plain_csv_loads_like_gzip_and_parses_invariantly()
    {
        using var tmp = new TempDir();
        var row = Enumerable.Range(0, 64).Select(j => (j % 17).ToString(CultureInfo.InvariantCulture));
        string text = string.Join(',', row) + ",7\n";
        var plain = FinAssert.Succ(Digits.Load(tmp.WriteText("one.csv", text)));
        var gz = FinAssert.Succ(
            Digits.Load(tmp.Write("one.csv.gz", IdxBytes.Gzip(System.Text.Encoding.UTF8.GetBytes(text))))
        );
        Assert.Equal(plain.X, gz.X);
        Assert.Equal(16.0, plain.X[0, 16]);
        Assert.Equal(7, plain.Labels[0]);
    }
}
