namespace Functional.Layers;

/// <summary>
/// The shape of one sample as a layer sees it: a feature vector of <see cref="Channels"/> values
/// (<see cref="Height"/> and <see cref="Width"/> 1, <see cref="IsImage"/> false), or a C×H×W image. A batch of n
/// samples is an n×<see cref="Size"/> matrix whose row holds one sample, an image's values in C, H, W order.
/// </summary>
public readonly record struct SampleShape
{
    SampleShape(int channels, int height, int width, bool image)
    {
        Channels = channels;
        Height = height;
        Width = width;
        IsImage = image;
    }

    /// <summary>Features of a vector, or channels of an image.</summary>
    public int Channels { get; }

    /// <summary>Rows of an image (1 for a vector).</summary>
    public int Height { get; }

    /// <summary>Columns of an image (1 for a vector).</summary>
    public int Width { get; }

    /// <summary>True for a C×H×W image, false for a feature vector.</summary>
    public bool IsImage { get; }

    /// <summary>Values per sample: the columns of a batch.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>A vector of <paramref name="n"/> features.</summary>
    public static SampleShape Features(int n) => new(n, 1, 1, false);

    /// <summary>A <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/> image.</summary>
    public static SampleShape Image(int channels, int height, int width) => new(channels, height, width, true);

    /// <summary>"10" for a vector, "1×28×28" for an image.</summary>
    public override string ToString() =>
        IsImage
            ? FormattableString.Invariant($"{Channels}×{Height}×{Width}")
            : FormattableString.Invariant($"{Channels}");
}
