using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Functional.Layers;
using Functional.Models;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>
/// `draw`: the network the `train` options describe, as a Graphviz DOT file (one node per layer, left to right),
/// a PNG through Graphviz's `dot` when it is installed, and the plain-text summary.
/// </summary>
public sealed class DrawCommand : ICliCommand
{
    public Command Build()
    {
        var t = new TrainOptions();
        var outDir = new CliOption("--out") { Description = "output directory (default runs/draw-<timestamp>)" };
        var overwrite = new System.CommandLine.Option<bool>("--overwrite")
        {
            Description = "replace the results of an earlier run",
        };
        var cmd = new Command("draw", "Draw a network as Graphviz DOT (+ PNG when dot is installed) and a summary.")
        {
            t.Model,
            t.Dataset,
            t.Hidden,
            t.Activation,
            t.Init,
            t.BatchNorm,
            t.Dropout,
            t.WeightDecay,
            outDir,
            overwrite,
        };
        cmd.SetAction(r =>
        {
            var cfg = t.ToConfig(r);
            var (inputs, outputs) = cfg.Dataset switch
            {
                "digits" => (64, 10),
                "regression" => (Functional.Data.Regression.Features, 1),
                _ => (784, 10),
            };
            _ = SizeCheck.Parameters(cfg, inputs, outputs);
            var dir = OutputLocation.Directory(r.GetValue(outDir) ?? Cli.DefaultOut("draw"), r.GetValue(overwrite));
            return Run(cfg.BuildNetwork(inputs, outputs), dir, Console.Out);
        });
        return cmd;
    }

    public static int Run(Network net, string outDir, TextWriter log)
    {
        Directory.CreateDirectory(outDir);
        var dot = Path.Combine(outDir, "network.dot");
        var summary = Path.Combine(outDir, "summary.txt");
        Reporting.JsonFiles.WriteAtomically(dot, Encoding.UTF8.GetBytes(Dot(net)));
        Reporting.JsonFiles.WriteAtomically(summary, Encoding.UTF8.GetBytes(net.Summary() + "\n"));
        log.WriteLine(net.Summary());
        var png = Path.Combine(outDir, "network.png");
        if (Render(dot, png))
            log.WriteLine($"wrote {dot}, {png}, {summary}");
        else
            log.WriteLine($"wrote {dot}, {summary}");
        return 0;
    }

    /// <summary>The DOT text: input, one box per layer (coloured by kind), the loss; edges carry the widths.</summary>
    public static string Dot(Network net)
    {
        var sb = new StringBuilder();
        sb.AppendLine("digraph network {");
        // Left to right reads like the book's figures; deep nets go top to bottom so the picture stays compact.
        sb.AppendLine(
            net.Layers.Count > 6
                ? "  rankdir=TB; nodesep=0.25; ranksep=0.2;"
                : "  rankdir=LR; nodesep=0.25; ranksep=0.35;"
        );
        sb.AppendLine("  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\", fontsize=11];");
        sb.AppendLine("  edge [fontname=\"DejaVu Sans\", fontsize=9];");
        sb.AppendLine(
            CultureInfo.InvariantCulture,
            $"  input [label=\"input\\n{net.InputShape}\", shape=ellipse, fillcolor=\"#c6dbef\"];"
        );
        var prev = "input";
        var width = net.InputShape;
        foreach (var (layer, i) in net.Indexed)
        {
            var (label, color) = layer switch
            {
                Affine a => ($"Affine\\n{a.In}→{a.Out}\\ninit {a.Init}", "#fdd0a2"),
                Conv2D c => (
                    $"Conv2D\\n{c.InChannels}→{c.OutChannels}, {c.KernelH}×{c.KernelW}\\nstride {c.Stride}, pad {c.Pad}\\ninit {c.Init}",
                    "#fdae6b"
                ),
                MaxPool2D m => ($"MaxPool2D\\n{m.Height}×{m.Width}, stride {m.Stride}", "#9ecae1"),
                AvgPool2D m => ($"AvgPool2D\\n{m.Height}×{m.Width}, stride {m.Stride}", "#9ecae1"),
                BatchNorm b => ($"BatchNorm\\n{b.Features}", "#c7e9c0"),
                Dropout d => ($"Dropout\\n{d.Ratio.ToString(CultureInfo.InvariantCulture)}", "#dadaeb"),
                _ => (layer.Describe(), "#f0f0f0"),
            };
            var id = $"l{i}";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {id} [label=\"{label}\", fillcolor=\"{color}\"];");
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {prev} -> {id} [label=\"{width}\"];");
            width = layer.OutputShape(width);
            prev = id;
        }
        sb.AppendLine(
            CultureInfo.InvariantCulture,
            $"  loss [label=\"{net.Loss.Describe()}\", shape=ellipse, fillcolor=\"#fcbba1\"];"
        );
        sb.AppendLine(CultureInfo.InvariantCulture, $"  {prev} -> loss [label=\"{width}\"];");
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>Runs `dot -Tpng`; false (with a note on stderr) when Graphviz is absent or fails.</summary>
    static bool Render(string dot, string png)
    {
        try
        {
            using var p = Process.Start(
                new ProcessStartInfo("dot", ["-Tpng", "-Gdpi=96", dot, "-o", png])
                {
                    RedirectStandardError = true,
                    UseShellExecute = false,
                }
            )!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode == 0)
                return true;
            Console.Error.WriteLine($"note: dot failed ({err.Trim()}); the DOT file is still written");
            return false;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine(
                "note: Graphviz's dot is not installed (apt-get install graphviz); wrote the DOT file only"
            );
            return false;
        }
    }
}
