using System.CommandLine;
using Functional.Data;
using SkiaSharp;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>`show`: a PNG grid of the first training images of a data set, each with its label (chapter 3's mnist_show).</summary>
public sealed class ShowCommand : ICliCommand
{
    public Command Build()
    {
        var dataset = new CliOption("--dataset") { Description = "digits | fashion-mnist | mnist (default digits)" };
        var data = new CliOption("--data") { Description = "directory with the data files" };
        var count = new CliOption("--count") { Description = "number of images (default 25)" };
        var outFile = new CliOption("--out") { Description = "PNG file (default runs/show-<dataset>.png)" };
        var cmd = new Command("show", "Write a PNG grid of sample images with their labels.")
        {
            dataset,
            data,
            count,
            outFile,
        };
        cmd.SetAction(r =>
        {
            var name = TrainConfig.Parse.OneOf(
                "--dataset",
                r.GetValue(dataset) ?? "digits",
                "digits",
                "fashion-mnist",
                "mnist"
            );
            var path = r.GetValue(outFile) ?? Path.Combine("runs", $"show-{name}.png");
            var n = r.GetValue(count) is string c ? TrainConfig.Parse.PositiveInt("--count", c) : 25;
            // A picture of the data, the same each time: replacing it loses nothing, so no --overwrite is asked.
            _ = OutputLocation.File(path, overwrite: true);
            Write(DataSources.Load(name, r.GetValue(data), 1).Train, n, path);
            Console.Out.WriteLine($"wrote {path}");
            return 0;
        });
        return cmd;
    }

    const int Scale = 4; // 28-pixel images become 112 px; 8-pixel digits are enlarged to the same size below
    const int Label = 22;
    const int Pad = 6;

    /// <summary>Draws the first <paramref name="count"/> images, each min–max scaled to grey, white on black.</summary>
    public static void Write(Dataset d, int count, string path)
    {
        var n = Math.Min(count, d.Count);
        var side = (int)Math.Round(Math.Sqrt(d.Features));
        if (side * side != d.Features)
            throw new UsageException($"show: {d.Name} samples have {d.Features} features, not a square image");
        var px = Math.Max(Scale, 112 / side);
        var cell = side * px;
        var cols = (int)Math.Ceiling(Math.Sqrt(n));
        var rows = (n + cols - 1) / cols;
        const int header = 30;
        using var bmp = new SKBitmap(cols * (cell + Pad) + Pad, header + rows * (cell + Label + Pad) + Pad);
        using var canvas = new SKCanvas(bmp);
        canvas.Clear(SKColors.White);
        using var typeface =
            SKTypeface.FromFile(Path.Combine(AppContext.BaseDirectory, "Fonts", "DejaVuSans.ttf"))
            ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 13);
        using var titleFont = new SKFont(typeface, 16);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText($"{d.Name}: the first {n} images and their labels", Pad, 20, SKTextAlign.Left, titleFont, ink);
        using var fill = new SKPaint();
        for (var k = 0; k < n; k++)
        {
            var (x0, y0) = (Pad + k % cols * (cell + Pad), header + k / cols * (cell + Label + Pad));
            var v = Enumerable.Range(0, d.Features).Select(j => d.X[k, j]).ToArray();
            var (lo, hi) = (v.Min(), v.Max());
            for (var j = 0; j < v.Length; j++)
            {
                var g = (byte)Math.Round(hi > lo ? 255 * (v[j] - lo) / (hi - lo) : 0);
                fill.Color = new SKColor(g, g, g);
                canvas.DrawRect(x0 + j % side * px, y0 + j / side * px, px, px, fill);
            }
            var label =
                !d.IsClassification ? ""
                : d.ClassNames[d.Labels[k]] == $"{d.Labels[k]}" ? d.ClassNames[d.Labels[k]] // digits: the name is the number
                : $"{d.Labels[k]}: {d.ClassNames[d.Labels[k]]}";
            canvas.DrawText(label, x0 + cell / 2f, y0 + cell + 16, SKTextAlign.Center, font, ink);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var png = SKImage.FromBitmap(bmp).Encode(SKEncodedImageFormat.Png, 100);
        Reporting.JsonFiles.WriteAtomically(path, png.ToArray());
    }
}
