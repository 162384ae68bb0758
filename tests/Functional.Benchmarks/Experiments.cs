namespace Functional.Benchmarks;

/// <summary>
/// The switches <see cref="Toggle"/> and <see cref="GemmToggle"/> flip (off: the library as shipped). To A/B a change,
/// put it behind a temporary internal static in the library, add a line here, measure, then remove both: the library
/// keeps no experiment switches. "none" flips nothing and shows the harness's own noise: on/off 0.949–1.008 measured
/// (session 8, a shared machine), so only effects well beyond ±5 % show.
/// </summary>
internal static class Experiments
{
    public static Action<bool> Get(string name) =>
        name switch
        {
            "none" => _ => { },
            _ => throw new ArgumentException($"unknown experiment '{name}' (known: none)"),
        };
}
