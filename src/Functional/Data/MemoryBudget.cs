namespace Functional.Data;

/// <summary>What a loader may allocate: the memory the GC may use, so a declared size is refused before it is
/// allocated rather than by running out of memory part-way.</summary>
internal static class MemoryBudget
{
    /// <summary>The GC's limit (the machine's memory, or a container's or <c>DOTNET_GCHeapHardLimit</c>'s). It is
    /// reported as of the last collection, and as 0 before the first one, so a gen-0 collection learns it.</summary>
    public static long Available()
    {
        var known = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (known > 0)
            return known;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        known = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return known > 0 ? known : long.MaxValue;
    }

    /// <summary>Below this a size is admitted without asking the GC (which may collect to answer).</summary>
    const long Small = 64L << 20;

    /// <summary>Null when <paramref name="need"/> bytes fit, else the budget they exceed.</summary>
    public static long? Exceeded(Int128 need)
    {
        if (need < Small)
            return null;
        var budget = Available();
        return need > budget ? budget : null;
    }

    /// <summary>A byte count for messages, e.g. "2.82 GB".</summary>
    public static string Gb(Int128 bytes) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(double)bytes / 1e9:0.##} GB");
}
