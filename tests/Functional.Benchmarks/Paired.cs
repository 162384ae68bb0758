namespace Functional.Benchmarks;

/// <summary>The paired A/B of <see cref="Toggle"/> and <see cref="GemmToggle"/>: blocks alternate off/on inside one
/// process, so a slow spell of the shared host lands on both settings instead of one.</summary>
internal static class Paired
{
    /// <summary>Runs <paramref name="pairs"/> pairs of <paramref name="block"/> (each returns its time per unit of
    /// work), with the switch off in one block and on in the other, alternating which goes first; leaves the switch
    /// off. Returns each setting's median.</summary>
    public static (double Off, double On) Run(Action<bool> set, int pairs, Func<double> block)
    {
        var times = new[] { new List<double>(), new List<double>() };
        for (var p = 0; p < pairs; p++)
        for (var h = 0; h < 2; h++)
        {
            var on = (p + h) % 2 == 1;
            set(on);
            times[on ? 1 : 0].Add(block());
        }
        set(false);
        return (Median(times[0]), Median(times[1]));
    }

    static double Median(List<double> x) => x.Order().ElementAt(x.Count / 2);

    /// <summary>The experiment switch named by <c>args[0]</c> when there are at least <paramref name="needed"/>
    /// arguments; otherwise false, with the usage or the unknown name on stderr (the caller exits 2).</summary>
    public static bool TryStart(string[] args, int needed, string usage, out Action<bool> set)
    {
        set = _ => { };
        if (args.Length >= needed)
            return Experiments.TryGet(args[0], out set);
        Console.Error.WriteLine("usage: " + usage);
        return false;
    }

    /// <summary>An integer argument, or <paramref name="fallback"/> when it is missing.</summary>
    public static int Arg(string[] args, int i, int fallback) =>
        args.Length > i ? int.Parse(args[i], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
