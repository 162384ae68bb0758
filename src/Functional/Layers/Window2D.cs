using Functional.Core;

namespace Functional.Layers;

/// <summary>
/// A sliding window over the H×W plane of an image (a convolution's kernel, a pooling window): its extents, its
/// stride and the zero padding on every side. Output rows are (H + 2·pad − h)/stride + 1, rounded down.
/// </summary>
/// <param name="Height">Window rows.</param>
/// <param name="Width">Window columns.</param>
/// <param name="Stride">Step between windows, in both directions.</param>
/// <param name="Pad">Padding on each side, in both directions.</param>
internal readonly record struct Window2D(int Height, int Width, int Stride, int Pad)
{
    /// <summary>Output rows and columns for an input of <paramref name="h"/>×<paramref name="w"/>, or (0, 0) when the
    /// window does not fit.</summary>
    public (int H, int W) Output(int h, int w) =>
        h + 2 * Pad < Height || w + 2 * Pad < Width
            ? (0, 0)
            : ((h + 2 * Pad - Height) / Stride + 1, (w + 2 * Pad - Width) / Stride + 1);

    /// <summary>Throws unless the hyper-parameters make a window (the layer's name in the message); a pooling window
    /// also needs pad ≤ half its extent, so that every window holds at least one input element.</summary>
    public void Check(string layer, bool pool)
    {
        Shape.Require(
            Height > 0 && Width > 0 && Stride > 0 && Pad >= 0,
            $"{layer}: the window needs positive extents and stride and pad ≥ 0, got {Height}×{Width} stride {Stride} pad {Pad}."
        );
        Shape.Require(
            !pool || 2 * Pad <= Math.Min(Height, Width),
            $"{layer}: pad {Pad} is more than half the {Height}×{Width} window."
        );
    }

    /// <summary>The output image shape for <paramref name="input"/>, which must be an image of
    /// <paramref name="channels"/> channels (any when 0) the window fits in; the error names the layer and both
    /// shapes.</summary>
    public SampleShape OutputShape(SampleShape input, int channels, int outChannels, string layer)
    {
        var expected = channels > 0 ? $"a {channels}×H×W image" : "a C×H×W image";
        Shape.Require(
            input.IsImage,
            $"{layer}: expected {expected}, got {input} features; give the network an image input shape (e.g. SampleShape.Image(1, 28, 28)) or keep the images as images."
        );
        Shape.Require(
            channels == 0 || input.Channels == channels,
            $"{layer}: expected {expected}, got a {input} image."
        );
        var (oh, ow) = Output(input.Height, input.Width);
        Shape.Require(
            oh > 0 && ow > 0,
            $"{layer}: a {Height}×{Width} window (pad {Pad}) does not fit in a {input} image."
        );
        return SampleShape.Image(outChannels > 0 ? outChannels : input.Channels, oh, ow);
    }

    /// <summary>The extents (N, C, H, W) of a batch of images with <paramref name="channels"/> channels (any when 0);
    /// a flat batch is refused with a message naming the layer, the batch's shape and the fix.</summary>
    public static (int N, int C, int H, int W) Dims(Tensor x, int channels, string layer)
    {
        if (x.Rank != 4)
            throw new ArgumentException(
                $"{layer}: expected a batch of N×{(channels > 0 ? channels : "C")}×H×W images, got a {x.ShapeText} batch; view it as images first (x.Reshape(n, c, h, w)) or give the network an image input shape."
            );
        var d = x.Dims;
        if (channels > 0 && d[1] != channels)
            throw new ArgumentException($"{layer}: expected a batch of N×{channels}×H×W images, got {x.ShapeText}.");
        return (d[0], d[1], d[2], d[3]);
    }
}
