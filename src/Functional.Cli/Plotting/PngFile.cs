using Functional.Training;
using ScottPlot;
using SkiaSharp;

namespace Functional.Cli.Plotting;

/// <summary>Figures rendered in memory and written whole (<see cref="AtomicFile"/>): a full disk never leaves
/// a truncated PNG, and a failed write keeps the previous figure.</summary>
public static class PngFile
{
    public static void Save(IMultiplot mp, string path, int width, int height)
    {
        using var image = mp.Render(width, height);
        AtomicFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100));
    }

    /// <summary>The figure under a title band: a multiplot has no title of its own.</summary>
    public static void Save(IMultiplot mp, string path, int width, int height, string title)
    {
        const int band = 36;
        using var figure = mp.Render(width, height);
        using var plots = SKImage.FromEncodedData(figure.GetImageBytes(ImageFormat.Png, 100));
        using var surface = SKSurface.Create(new SKImageInfo(width, height + band));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawImage(plots, 0, band);
        using var typeface = SKTypeface.FromFile(Plots.FontFile(bold: true)) ?? SKTypeface.Default;
        using var font = new SKFont(typeface, 16);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, width / 2f, 25, SKTextAlign.Center, font, ink);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, png.ToArray());
    }

    public static void Save(Plot p, string path, int width, int height)
    {
        using var image = p.GetImage(width, height);
        AtomicFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100));
    }
}
