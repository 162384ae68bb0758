using ScottPlot;

namespace Functional.Cli.Plotting;

/// <summary>ScottPlot set-up shared by every figure: the shipped DejaVu fonts, so text renders on any machine.</summary>
public static class Plots
{
    /// <summary>A shipped DejaVu Sans file beside the tool.</summary>
    public static string FontFile(bool bold) =>
        Path.Combine(AppContext.BaseDirectory, "Fonts", bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf");

    static readonly Lazy<bool> FontsReady = new(() =>
    {
        var regular = FontFile(bold: false);
        if (File.Exists(regular))
        {
            Fonts.AddFontFile("DejaVu Sans", regular, bold: false, italic: false);
            var bold = FontFile(bold: true);
            if (File.Exists(bold))
                Fonts.AddFontFile("DejaVu Sans", bold, bold: true, italic: false);
        }
        Fonts.Default = "DejaVu Sans";
        return true;
    });

    public static Plot New(string title, string x, string y)
    {
        _ = FontsReady.Value;
        var p = new Plot();
        p.Title(title);
        p.XLabel(x);
        p.YLabel(y);
        return p;
    }

    /// <summary>An empty multiplot (a new Multiplot starts with one blank subplot, removed here).</summary>
    public static Multiplot NewMulti()
    {
        _ = FontsReady.Value;
        var mp = new Multiplot();
        mp.RemovePlot(mp.GetPlot(0));
        return mp;
    }

    public static void Line(Plot p, double[] xs, double[] ys, string label, bool dashed = false, Color? color = null)
    {
        var s = p.Add.Scatter(xs, ys);
        s.LegendText = label;
        s.MarkerSize = xs.Length > 40 ? 0 : 4;
        s.LineWidth = 2;
        if (dashed)
            s.LinePattern = LinePattern.Dashed;
        if (color is Color c)
            s.Color = c;
    }
}
