using System.Text.Json.Nodes;
using Functional.Cli.Plotting;
using Functional.Core;
using Functional.Training;
using ScottPlot;
using static Functional.Cli.Experiments.TextTable;

namespace Functional.Cli.Experiments;

/// <summary>
/// Chapter 4's numerical differentiation: the derivative of 0.01x² + 0.1x at x = 5 and 10 with its tangent
/// lines, the negative gradient field of x0² + x1², and gradient descent on it from (−3, 4) with lr 0.1 for 20
/// steps. Every derivative is the central difference of <see cref="GradCheck"/>.
/// </summary>
public sealed class GradientDescentExperiment : IExperiment
{
    public string Name => "gradient-descent";
    public string Description => "numerical derivative and tangents, gradient field of x0²+x1², gradient-descent path";
    public Knobs Knobs => Knobs.None;

    static double F1(double x) => 0.01 * x * x + 0.1 * x;

    static double F2(Tensor x) => x[0, 0] * x[0, 0] + x[0, 1] * x[0, 1];

    public JsonObject Run(ExperimentContext ctx)
    {
        double[] at = [5, 10];
        var slopes = at.Select(x => GradCheck.Derivative(F1, x)).ToArray();
        var grid = Enumerable.Range(0, 17).Select(i => -2 + 0.25 * i).ToArray();
        var field = grid.SelectMany(x1 =>
                grid.Select(x0 => (X0: x0, X1: x1, G: GradCheck.Gradient(F2, Mat.Row(x0, x1))))
            )
            .Select(p => (p.X0, p.X1, D0: -p.G[0, 0], D1: -p.G[0, 1]))
            .ToList();
        var path = GradCheck.Descent(F2, Mat.Row(-3, 4), 0.1, 20).Select(m => (X0: m[0, 0], X1: m[0, 1])).ToList();

        Draw(ctx.File("gradient-descent.png"), at, slopes, field, path);
        TextTable.Print(
            ctx.Log,
            ["quantity", "numerical", "exact"],
            [
                ["f'(5) of 0.01x²+0.1x", F(slopes[0], 10), "0.2"],
                ["f'(10) of 0.01x²+0.1x", F(slopes[1], 10), "0.3"],
                [
                    "∇(x0²+x1²) at (3, 4)",
                    $"({F(GradCheck.Gradient(F2, Mat.Row(3, 4))[0, 0], 6)}, {F(GradCheck.Gradient(F2, Mat.Row(3, 4))[0, 1], 6)})",
                    "(6, 8)",
                ],
                [
                    "descent end after 20 steps",
                    $"({F(path[^1].X0, 6)}, {F(path[^1].X1, 6)})",
                    $"({F(-3 * Math.Pow(0.8, 20), 6)}, {F(4 * Math.Pow(0.8, 20), 6)})",
                ],
            ]
        );

        var report = Report.Start(
            this,
            ctx,
            new JsonObject
            {
                ["h"] = GradCheck.H,
                ["derivative"] = "central difference (f(x+h) − f(x−h)) / 2h",
                ["descent"] = new JsonObject
                {
                    ["start"] = Report.Numbers([-3, 4]),
                    ["lr"] = 0.1,
                    ["steps"] = 20,
                },
            }
        );
        report["tangents"] = Report.Objects(
            at.Select(
                (x, i) =>
                    new JsonObject
                    {
                        ["x"] = x,
                        ["f"] = F1(x),
                        ["slope"] = slopes[i],
                        ["intercept"] = F1(x) - slopes[i] * x,
                    }
            )
        );
        report["gradient_field"] = Report.Objects(
            field.Select(p => new JsonObject
            {
                ["x0"] = p.X0,
                ["x1"] = p.X1,
                ["minus_grad0"] = p.D0,
                ["minus_grad1"] = p.D1,
            })
        );
        report["descent_path"] = Report.Objects(path.Select(p => new JsonObject { ["x0"] = p.X0, ["x1"] = p.X1 }));
        return report;
    }

    static void Draw(
        string path,
        double[] at,
        double[] slopes,
        List<(double X0, double X1, double D0, double D1)> field,
        List<(double X0, double X1)> descent
    )
    {
        var mp = Plots.NewMulti();

        var tangent = Plots.New("f(x) = 0.01x² + 0.1x, tangents", "x", "f(x)");
        var xs = Enumerable.Range(0, 200).Select(i => 0.1 * i).ToArray();
        Plots.Line(tangent, xs, [.. xs.Select(F1)], "f(x)", color: Colors.C0);
        for (var i = 0; i < at.Length; i++)
        {
            var (x, d) = (at[i], slopes[i]);
            Plots.Line(
                tangent,
                xs,
                [.. xs.Select(t => F1(x) + d * (t - x))],
                $"tangent at x={x} (slope {F(d, 4)})",
                dashed: true,
                color: Colors.Category10[i + 1]
            );
            var m = tangent.Add.Marker(x, F1(x));
            m.Color = Colors.Category10[i + 1];
            m.Size = 9;
        }
        tangent.ShowLegend(Alignment.UpperLeft);

        var quiver = Plots.New("−∇f, f(x0, x1) = x0² + x1²", "x0", "x1");
        // Arrow length proportional to |∇f| (the quiver convention), the longest spanning 1.4 grid cells.
        var scale = 0.35 / field.Max(p => Math.Sqrt(p.D0 * p.D0 + p.D1 * p.D1));
        foreach (var p in field.Where(p => p.D0 != 0 || p.D1 != 0))
        {
            var a = quiver.Add.Arrow(
                new Coordinates(p.X0, p.X1),
                new Coordinates(p.X0 + scale * p.D0, p.X1 + scale * p.D1)
            );
            a.ArrowFillColor = Colors.DimGray;
            a.ArrowLineColor = Colors.DimGray;
            a.ArrowLineWidth = 0;
            a.ArrowWidth = 1.5f;
            a.ArrowheadWidth = 7;
            a.ArrowheadLength = 6;
            a.ArrowheadAxisLength = 6;
        }
        quiver.Axes.SetLimits(-2.3, 2.3, -2.3, 2.3);

        var gd = Plots.New("Descent from (−3, 4), lr 0.1", "x0", "x1");
        foreach (var r in new[] { 1.0, 2.0, 3.0, 4.0, 5.0 })
        {
            var c = gd.Add.Circle(0, 0, r);
            c.LineColor = Colors.LightGray;
            c.LineWidth = 1;
        }
        gd.Add.HorizontalLine(0, 1, Colors.Blue, LinePattern.Dashed);
        gd.Add.VerticalLine(0, 1, Colors.Blue, LinePattern.Dashed);
        var pts = gd.Add.ScatterPoints(descent.Select(p => p.X0).ToArray(), descent.Select(p => p.X1).ToArray());
        pts.MarkerSize = 8;
        pts.Color = Colors.C1;
        pts.LegendText = "x after each step (21 points)";
        gd.Axes.SetLimits(-3.5, 3.5, -4.5, 4.5);
        gd.ShowLegend(Alignment.UpperRight);

        mp.AddPlot(tangent);
        mp.AddPlot(quiver);
        mp.AddPlot(gd);
        mp.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Plotting.PngFile.Save(mp, path, 1000, 380);
    }
}
