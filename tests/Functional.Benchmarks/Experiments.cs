namespace Functional.Benchmarks;

/// <summary>
/// The switches <see cref="Toggle"/> and <see cref="GemmToggle"/> flip (off: the library as shipped). To A/B a change,
/// put it behind a temporary internal static in the library, add a line here, measure, then remove both: the library
/// keeps no experiment switches. "none" flips nothing and shows the harness's own noise (on/off 0.949–1.008 on a
/// shared machine), so only effects well beyond ±5 % show.
/// </summary>
internal static class Experiments
{
    /// <summary>The switch named <paramref name="name"/>, or false (and a one-line message on stderr).</summary>
    public static bool TryGet(string name, out Action<bool> set)
    {
        set = name switch
        {
            "none" => _ => { },
            _ => null!,
        };
        if (set is null)
            Console.Error.WriteLine($"unknown experiment '{name}' (known: none)");
        return set is not null;
    }
}
