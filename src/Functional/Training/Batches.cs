using Functional.Core;

namespace Functional.Training;

/// <summary>How mini-batches are drawn.</summary>
public enum BatchSampling
{
    /// <summary>A fresh permutation each epoch, cut into consecutive batches (the last may be smaller).</summary>
    Shuffle,

    /// <summary>The book's <c>np.random.choice(train_size, batch_size)</c>: each batch drawn with replacement.</summary>
    Replacement,
}

/// <summary>Batch indices as a pure function of (key, step): any step's batch is known without replaying the others.</summary>
public sealed record Batches(int Count, int BatchSize, BatchSampling Sampling)
{
    /// <summary>The number of training samples the indices range over; positive.</summary>
    public int Count { get; init; } =
        Count > 0
            ? Count
            : throw new ArgumentException(
                $"the training set is empty (count {Count}); give at least one sample.",
                nameof(Count)
            );

    /// <summary>Rows per batch; positive.</summary>
    public int BatchSize { get; init; } =
        BatchSize > 0
            ? BatchSize
            : throw new ArgumentException(
                $"batch size must be a positive integer, got {BatchSize}; pass 1 or more.",
                nameof(BatchSize)
            );

    /// <summary>
    /// When shuffling leaves a last batch of one sample (count mod batch = 1), that sample joins the previous batch,
    /// so every epoch's last batch has BatchSize + 1 rows: training-mode BatchNorm has no statistics for one sample.
    /// Off, the batches are those of a plain cut (bitwise unchanged for every other count).
    /// </summary>
    public bool MergeSingleLast { get; init; }

    /// <summary>True when <see cref="MergeSingleLast"/> changes the cut of this count and batch size.</summary>
    public bool MergesLast =>
        MergeSingleLast && Sampling == BatchSampling.Shuffle && Count > BatchSize && Count % BatchSize == 1;

    /// <summary>This value, after checking that batch size and count are positive (an <see cref="ArgumentException"/>
    /// otherwise), for use at the end of a construction expression.</summary>
    public Batches Validate()
    {
        Shape.Require(BatchSize > 0, $"batch size must be a positive integer, got {BatchSize}.");
        Shape.Require(Count > 0, "the training set is empty.");
        return this;
    }

    /// <summary>Steps per epoch: ⌈n/b⌉ when shuffling (every sample once), max(1, n/b) with replacement (the book's iter_per_epoch).</summary>
    public int StepsPerEpoch =>
        MergesLast ? Count / BatchSize
        : Sampling == BatchSampling.Shuffle ? (Count + BatchSize - 1) / BatchSize
        : Math.Max(1, Count / BatchSize);

    /// <summary>The row indices of global step <paramref name="step"/> (0-based).</summary>
    public int[] At(Key key, long step)
    {
        var k = key.FoldIn(KeyPurpose.Batches);
        if (Sampling == BatchSampling.Replacement)
            return Core.Sampling.Choice(k.FoldIn(step), Count, BatchSize);
        var epoch = step / StepsPerEpoch;
        var within = (int)(step % StepsPerEpoch);
        var perm = EpochPermutation(k.FoldIn(epoch));
        var start = within * BatchSize;
        var length = within == StepsPerEpoch - 1 ? Count - start : BatchSize; // the last batch takes the rest
        return perm.AsSpan(start, length).ToArray();
    }

    /// <summary>The last permutation computed, shared by every step of its epoch (it is never exposed: callers get
    /// copies of slices). A pure function of (key, count) memoised in one immutable entry swapped atomically.</summary>
    sealed record PermutationMemo(Key Key, int Count, int[] Permutation);

    static PermutationMemo? s_lastPermutation;

    int[] EpochPermutation(Key epochKey)
    {
        var memo = Volatile.Read(ref s_lastPermutation);
        if (memo is not null && memo.Key == epochKey && memo.Count == Count)
            return memo.Permutation;
        var perm = Core.Sampling.Permutation(epochKey, Count);
        Volatile.Write(ref s_lastPermutation, new PermutationMemo(epochKey, Count, perm));
        return perm;
    }
}
