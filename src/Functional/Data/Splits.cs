namespace Functional.Data;

/// <summary>Train/test splits driven by a caller-supplied permutation, so randomness stays with the caller's key.</summary>
public static class Splits
{
    /// <summary>Test = rows perm[0..testCount), train = the remaining rows, both in permutation order.</summary>
    /// <exception cref="ArgumentException">perm is not a permutation of 0..Count-1 or testCount is out of range
    /// (programming errors, not data errors).</exception>
    public static TrainTest ByPermutation(Dataset d, int[] perm, int testCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(testCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(testCount, d.Count);
        if (perm.Length != d.Count)
            throw new ArgumentException(
                $"permutation has {perm.Length} entries, dataset {d.Name} has {d.Count} rows",
                nameof(perm)
            );
        var seen = new bool[perm.Length];
        foreach (int i in perm)
        {
            if ((uint)i >= (uint)seen.Length || seen[i])
                throw new ArgumentException(
                    $"not a permutation of 0..{d.Count - 1}: bad or repeated index {i}",
                    nameof(perm)
                );
            seen[i] = true;
        }
        var test = d.Rows(perm.AsSpan(0, testCount)) with { Name = $"{d.Name}-test" };
        var train = d.Rows(perm.AsSpan(testCount)) with { Name = $"{d.Name}-train" };
        return new TrainTest(train, test);
    }

    /// <summary>Test-set size for a fraction, rounded up like scikit-learn's train_test_split (1797 · 0.25 → 450).</summary>
    public static int TestCount(int count, double testFraction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(testFraction is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be in [0, 1]");
        return (int)Math.Ceiling(count * testFraction);
    }
}
