namespace Functional.Core;

/// <summary>
/// An explicit, splittable, counter-based random key (JAX's design, SplitMix64 mixing).
/// A key is a value: drawing from it never advances hidden state; the i-th draw is <c>hash(key, i)</c>.
/// The same seed therefore gives the same bits on any machine, any thread count, and after a resume.
/// </summary>
public readonly record struct Key(ulong Value)
{
    /// <summary>The root key of <paramref name="seed"/>; the seed is mixed, so nearby seeds give unrelated
    /// keys.</summary>
    public static Key Of(ulong seed) => new(Mix(seed ^ 0x6A09E667F3BCC909UL));

    /// <summary>A new key derived from this one and <paramref name="data"/> (a step, a layer index, an epoch).</summary>
    public Key FoldIn(ulong data) => new(Mix(Value ^ Mix(data + 0x9E3779B97F4A7C15UL)));

    /// <summary>Same as the unsigned overload, on the two's-complement bits of <paramref name="data"/>.</summary>
    public Key FoldIn(long data) => FoldIn(unchecked((ulong)data));

    /// <summary>Two independent keys: this key folded with 0 and with 1.</summary>
    public (Key Left, Key Right) Split() => (FoldIn(0UL), FoldIn(1UL));

    /// <summary>The <paramref name="counter"/>-th 64 random bits of this key.</summary>
    public ulong Bits(ulong counter) => Mix(Value + Mix(counter + 1));

    /// <summary>A uniform double in [0, 1) from the top 53 bits of draw <paramref name="counter"/>.</summary>
    public double Uniform(ulong counter) => (Bits(counter) >> 11) * (1.0 / (1UL << 53));

    static ulong Mix(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>The 64 bits in hex, e.g. <c>Key(0123456789ABCDEF)</c>.</summary>
    public override string ToString() => $"Key({Value:X16})";
}
