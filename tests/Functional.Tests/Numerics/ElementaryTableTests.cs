using System.Globalization;
using Functional.Numerics;
using Xunit;
using Xunit.Abstractions;

namespace Functional.Tests.Numerics;

/// <summary>Each function against its correctly rounded table (make_tables.py): at most 1 ulp everywhere.</summary>
public class ElementaryTableTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names => new(["exp", "expm1", "log", "tanh", "sigmoid", "cos", "sin"]);

    public static Func<double, double> Ours(string name) =>
        name switch
        {
            "exp" => Elementary.Exp,
            "expm1" => Elementary.Expm1,
            "log" => Elementary.Log,
            "tanh" => Elementary.Tanh,
            "sigmoid" => Elementary.Sigmoid,
            "cos" => Elementary.Cos,
            "sin" => Elementary.Sin,
            _ => throw new ArgumentException(name),
        };

    /// <summary>
    /// An independent value within a few ulps, to pin the high bits that the table leaves out (its low 16 bits
    /// alone would accept a result off by a multiple of 65536 ulps, a wrong power of two among them).
    /// </summary>
    static double Platform(string name, double x) =>
        name switch
        {
            "exp" => Math.Exp(x),
            "expm1" => Math.Abs(x) < 0.01
                ? x
                    * (
                        1
                        + x * (1.0 / 2 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720 + x / 5040)))))
                    )
                : Math.Exp(x) - 1,
            "log" => Math.Log(x),
            "tanh" => Math.Tanh(x),
            "sigmoid" => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x)),
            "cos" => Math.Cos(x),
            "sin" => Math.Sin(x),
            _ => throw new ArgumentException(name),
        };

    const long PlatformSlack = 4096;

    [Theory]
    [MemberData(nameof(Names))]
    public void Within_one_ulp_of_the_correctly_rounded_value_at_every_table_point(string name)
    {
        var t = ElementaryTable.All[name];
        var f = Ours(name);
        Assert.True(
            t.Drawn.Length + t.Edges.Length >= 20_000,
            $"{name}: only {t.Drawn.Length + t.Edges.Length} points"
        );
        var worst = 0.0;
        var worstAt = double.NaN;
        var failures = new List<string>();
        for (var i = 0; i < t.Drawn.Length; i++)
        {
            var x = t.Drawn[i];
            var y = f(x);
            var oy = ElementaryTable.Ordered(y);
            var op = ElementaryTable.Ordered(Platform(name, x));
            if (Math.Abs(oy - op) > PlatformSlack)
            {
                failures.Add($"{name}({R(x)}) = {R(y)}, far from the platform's {R(Platform(name, x))}");
                continue;
            }
            // the correctly rounded result: the ordered pattern nearest to ours with the stored low 16 bits
            var delta = (short)(ushort)(t.DrawnLow[i] - (ushort)(oy & 0xFFFF));
            var err = Math.Abs(-delta - t.DrawnFrac[i] / 254.0);
            if (err > worst)
                (worst, worstAt) = (err, x);
            if (err > 1.0)
                failures.Add(
                    $"{name}({R(x)}) = {R(y)}: {err:F3} ulp from {R(ElementaryTable.FromOrdered(oy + delta))}"
                );
        }
        for (var i = 0; i < t.Edges.Length; i++)
        {
            var x = t.Edges[i];
            var y = f(x);
            var cr = BitConverter.Int64BitsToDouble(t.EdgeBits[i]);
            if (double.IsNaN(cr) || double.IsInfinity(cr) || cr == 0)
            {
                if (double.IsNaN(cr) ? !double.IsNaN(y) : BitConverter.DoubleToInt64Bits(y) != t.EdgeBits[i])
                    failures.Add($"{name}({R(x)}) = {R(y)}, must be exactly {R(cr)}");
                continue;
            }
            var err = Math.Abs(ElementaryTable.Ordered(y) - ElementaryTable.Ordered(cr) - t.EdgeFrac[i] / 254.0);
            if (double.IsNaN(y) || err > 1.0)
                failures.Add($"{name}({R(x)}) = {R(y)}: {err:F3} ulp from {R(cr)}");
            if (err > worst)
                (worst, worstAt) = (err, x);
        }
        var summary = $"{name}: worst {worst:F3} ulp at x = {R(worstAt)} over {t.Drawn.Length + t.Edges.Length} points";
        output.WriteLine(summary);
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Take(20)));
    }

    static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
