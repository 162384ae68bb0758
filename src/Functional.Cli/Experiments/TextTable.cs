using System.Globalization;

namespace Functional.Cli.Experiments;

/// <summary>A plain aligned text table for the console summary of an experiment.</summary>
public static class TextTable
{
    public static void Print(TextWriter log, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        string Line(IReadOnlyList<string> r) =>
            string.Join("  ", r.Select((v, c) => c == 0 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))).TrimEnd();
        log.WriteLine(Line(header));
        log.WriteLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        foreach (var r in all.Skip(1))
            log.WriteLine(Line(r));
    }

    /// <summary>Fixed-point text of a number in the invariant culture ("-" for NaN).</summary>
    public static string F(double x, int digits = 4) =>
        double.IsNaN(x) ? "-" : x.ToString("F" + digits, CultureInfo.InvariantCulture);

    /// <summary>Compact text (3 significant digits) of a number in the invariant culture.</summary>
    public static string G(double x) => x.ToString("G3", CultureInfo.InvariantCulture);
}
