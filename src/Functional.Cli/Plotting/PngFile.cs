using Functional.Training;
using ScottPlot;

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

    public static void Save(Plot p, string path, int width, int height)
    {
        using var image = p.GetImage(width, height);
        AtomicFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100));
    }
}
