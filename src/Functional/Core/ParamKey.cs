namespace Functional.Core;

/// <summary>
/// The key of one parameter array: layer index, then name, compared numerically and ordinally.
/// LanguageExt's <c>Map&lt;string,_&gt;</c> orders strings culture-sensitively ("Affine10" before "Affine2"),
/// so a typed key keeps iteration order, checkpoints and snapshots stable on every machine.
/// </summary>
public readonly record struct ParamKey(int Layer, string Name) : IComparable<ParamKey>
{
    /// <summary>By layer, then by name ordinally: the order of every parameter walk and checkpoint.</summary>
    public int CompareTo(ParamKey other) =>
        Layer != other.Layer ? Layer.CompareTo(other.Layer) : string.CompareOrdinal(Name, other.Name);

    /// <summary>The <c>"layer.name"</c> form, e.g. <c>"1.gamma"</c>, used in checkpoints and messages.</summary>
    public override string ToString() => $"{Layer}.{Name}";

    /// <summary>Ordered as <see cref="CompareTo"/>.</summary>
    public static bool operator <(ParamKey a, ParamKey b) => a.CompareTo(b) < 0;

    /// <summary>Ordered as <see cref="CompareTo"/>.</summary>
    public static bool operator >(ParamKey a, ParamKey b) => a.CompareTo(b) > 0;

    /// <summary>Ordered as <see cref="CompareTo"/>.</summary>
    public static bool operator <=(ParamKey a, ParamKey b) => a.CompareTo(b) <= 0;

    /// <summary>Ordered as <see cref="CompareTo"/>.</summary>
    public static bool operator >=(ParamKey a, ParamKey b) => a.CompareTo(b) >= 0;

    /// <summary>Parses the <c>"1.gamma"</c> form written by <see cref="ToString"/>.</summary>
    public static ParamKey Parse(string s)
    {
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (
            dot <= 0
            || !int.TryParse(
                s.AsSpan(0, dot),
                System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture,
                out var layer
            )
        )
            throw new FormatException($"parameter key '{s}' is not of the form '<layer>.<name>'");
        return new ParamKey(layer, s[(dot + 1)..]);
    }
}
