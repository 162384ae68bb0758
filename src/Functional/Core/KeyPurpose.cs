namespace Functional.Core;

/// <summary>
/// The fixed sub-keys of a run's root key, one per purpose, so that drawing more of one kind of randomness never
/// shifts another: a step's randomness is <c>key.FoldIn(purpose).FoldIn(step)</c>.
/// </summary>
public static class KeyPurpose
{
    /// <summary>The initial parameters.</summary>
    public const ulong Init = 1;

    /// <summary>The batches: each step's sample indices.</summary>
    public const ulong Batches = 2;

    /// <summary>Dropout's masks.</summary>
    public const ulong Dropout = 3;

    /// <summary>A data set's train/test split.</summary>
    public const ulong Split = 4;
}
