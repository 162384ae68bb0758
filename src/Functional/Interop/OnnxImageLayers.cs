using Functional.Interop.OnnxProto;
using Functional.Layers;

namespace Functional.Interop;

/// <summary>
/// The ONNX forms of the image layers, in float64 throughout. ONNX Runtime 1.31.1's CPU provider has no float64
/// <c>Conv</c>, <c>AveragePool</c> or <c>GlobalAveragePool</c> ("Could not find an implementation for Conv(11)"),
/// while its float64 <c>Flatten</c>, <c>Pad</c>, <c>Gather</c>, <c>MatMul</c>, <c>ReduceSum</c>,
/// <c>Transpose</c>, <c>Reshape</c> and <c>MaxPool</c> exist. So a convolution is written as the library computes
/// it, an unfolding and a product: the image's taps are gathered into one row per output position (<see cref="Im2Col"/>
/// as constant indices), multiplied by W and shifted by b; an average pool gathers each window and sums it. No value
/// is rounded to float32 on the way, so the graph agrees with the library as closely as the dense layers do.
/// </summary>
internal static class OnnxImageLayers
{
    /// <summary>
    /// Conv2D as Flatten → (Pad: one zero after the image, the target of every padded tap) → Gather (N×P×T, P output
    /// positions in (oh, ow) order, T taps in (c, i, j) order) → MatMul W (T×F) → Add b → Transpose (N×F×P) →
    /// Reshape (N×F×OH×OW), the layer's own output order.
    /// </summary>
    public static OnnxPart Conv(Conv2D layer, OnnxSite s)
    {
        if (s.Float32)
            return ConvNode(layer, s);
        var image = s.Shape;
        var output = layer.OutputShape(image);
        var window = new Window2D(layer.KernelH, layer.KernelW, layer.Stride, layer.Pad);
        var positions = output.Height * output.Width;
        var indices = new int[positions * layer.Taps];
        var k = 0;
        for (var oh = 0; oh < output.Height; oh++)
        for (var ow = 0; ow < output.Width; ow++)
        for (var c = 0; c < image.Channels; c++)
        for (var i = 0; i < layer.KernelH; i++)
        for (var j = 0; j < layer.KernelW; j++)
            indices[k++] = Tap(image, window, c, oh, ow, i, j);
        var (flat, cols, idx) = (s.Name("flat"), s.Name("col"), s.Name("taps"));
        var (w, b, prod, biased) = (s.Name("W"), s.Name("b"), s.Name("product"), s.Name("biased"));
        var (planes, shape, y) = (s.Name("planes"), s.Name("shape"), s.Name("y"));
        var (padNodes, padConsts, source) = ZeroAfter(s, flat, layer.Pad > 0);
        return new(
            [
                OnnxSite.With(OnnxSite.Node("Flatten", flat, s.Input), OnnxSite.Int("axis", 1)),
                .. padNodes,
                OnnxSite.With(OnnxSite.Node("Gather", cols, source, idx), OnnxSite.Int("axis", 1)),
                OnnxSite.Node("MatMul", prod, cols, w),
                OnnxSite.Node("Add", biased, prod, b),
                OnnxSite.With(OnnxSite.Node("Transpose", planes, biased), OnnxSite.Ints("perm", 0, 2, 1)),
                OnnxSite.Node("Reshape", y, planes, shape),
            ],
            [
                .. padConsts,
                OnnxSite.Int32s(idx, [positions, layer.Taps], indices),
                s.Array(w, s.Param("W")),
                s.Vector(b, s.Param("b")),
                ImageShape(shape, output),
            ],
            y
        );
    }

    /// <summary>
    /// AvgPool2D as Flatten → (Pad) → Gather (N×C×P×window, each window's inputs in row-major order, a padded
    /// position reading the zero) → ReduceSum over the window → Div by the window's size → Reshape (N×C×OH×OW):
    /// the layer's sum-then-divide, padded positions counted as zeros.
    /// </summary>
    public static OnnxPart AvgPool(AvgPool2D layer, OnnxSite s)
    {
        if (s.Float32)
            return PoolNode("AveragePool", layer, s, OnnxSite.Int("count_include_pad", 1));
        var image = s.Shape;
        var output = layer.OutputShape(image);
        var window = layer.Window;
        var (positions, size) = (output.Height * output.Width, layer.Height * layer.Width);
        var indices = new int[image.Channels * positions * size];
        var k = 0;
        for (var c = 0; c < image.Channels; c++)
        for (var oh = 0; oh < output.Height; oh++)
        for (var ow = 0; ow < output.Width; ow++)
        for (var i = 0; i < layer.Height; i++)
        for (var j = 0; j < layer.Width; j++)
            indices[k++] = Tap(image, window, c, oh, ow, i, j);
        var (flat, windows, idx, axes) = (s.Name("flat"), s.Name("windows"), s.Name("taps"), s.Name("axes"));
        var (sum, count, mean, shape, y) = (
            s.Name("sum"),
            s.Name("size"),
            s.Name("mean"),
            s.Name("shape"),
            s.Name("y")
        );
        var (padNodes, padConsts, source) = ZeroAfter(s, flat, layer.Pad > 0);
        return new(
            [
                OnnxSite.With(OnnxSite.Node("Flatten", flat, s.Input), OnnxSite.Int("axis", 1)),
                .. padNodes,
                OnnxSite.With(OnnxSite.Node("Gather", windows, source, idx), OnnxSite.Int("axis", 1)),
                OnnxSite.With(OnnxSite.Node("ReduceSum", sum, windows, axes), OnnxSite.Int("keepdims", 0)),
                OnnxSite.Node("Div", mean, sum, count),
                OnnxSite.Node("Reshape", y, mean, shape),
            ],
            [
                .. padConsts,
                OnnxSite.Int32s(idx, [image.Channels, positions, size], indices),
                OnnxSite.Int64s(axes, 3),
                s.Real(count, [], [size]),
                ImageShape(shape, output),
            ],
            y
        );
    }

    /// <summary>
    /// MaxPool2D as ONNX's MaxPool (float64 in ONNX Runtime), whose padded positions are never candidates, as in the
    /// layer. Which of tied inputs wins matters only to the gradient; the value is the same.
    /// </summary>
    public static OnnxPart MaxPool(MaxPool2D layer, OnnxSite s) => PoolNode("MaxPool", layer, s);

    /// <summary>A pooling node with the layer's window, stride and padding on every side.</summary>
    static OnnxPart PoolNode(string op, Pool2D layer, OnnxSite s, params AttributeProto[] more)
    {
        var y = s.Name("y");
        var node = OnnxSite.With(
            OnnxSite.Node(op, y, s.Input),
            Window(layer.Height, layer.Width, layer.Stride, layer.Pad)
        );
        return new([OnnxSite.With(node, more)], [], y);
    }

    /// <summary>
    /// A float32 graph's Conv2D: ONNX's Conv with W as F×C×KH×KW (filter f's taps, column f of the layer's W, in the
    /// same (c, i, j) order) and b.
    /// </summary>
    static OnnxPart ConvNode(Conv2D layer, OnnxSite s)
    {
        var (taps, filters) = (layer.Taps, layer.OutChannels);
        var w = RowMajor.Of(s.Param("W")); // taps×filters
        var byFilter = new double[w.Length];
        for (var t = 0; t < taps; t++)
        for (var f = 0; f < filters; f++)
            byFilter[f * taps + t] = w[t * filters + f];
        var (wn, bn, y) = (s.Name("W"), s.Name("b"), s.Name("y"));
        var node = OnnxSite.With(
            OnnxSite.Node("Conv", y, s.Input, wn, bn),
            Window(layer.KernelH, layer.KernelW, layer.Stride, layer.Pad)
        );
        return new(
            [node],
            [
                s.Real(wn, [filters, layer.InChannels, layer.KernelH, layer.KernelW], byFilter),
                s.Vector(bn, s.Param("b")),
            ],
            y
        );
    }

    /// <summary>kernel_shape, strides and pads (the same on every side) of a window.</summary>
    static AttributeProto[] Window(int height, int width, int stride, int pad) =>
        [
            OnnxSite.Ints("kernel_shape", height, width),
            OnnxSite.Ints("strides", stride, stride),
            OnnxSite.Ints("pads", pad, pad, pad, pad),
        ];

    /// <summary>Flatten(axis 1): N×C×H×W row-major is N×(C·H·W) in C, H, W order, the layer's feature order; a
    /// batch of feature vectors passes unchanged.</summary>
    public static OnnxPart Flatten(OnnxSite s)
    {
        if (!s.Shape.IsImage)
            return OnnxPart.Absent(s.Input);
        var y = s.Name("y");
        return new([OnnxSite.With(OnnxSite.Node("Flatten", y, s.Input), OnnxSite.Int("axis", 1))], [], y);
    }

    /// <summary>The flat index of input (c, oh·stride − pad + i, ow·stride − pad + j), or C·H·W (the appended zero)
    /// for a padded position.</summary>
    static int Tap(SampleShape image, Window2D win, int c, int oh, int ow, int i, int j)
    {
        var ih = oh * win.Stride - win.Pad + i;
        var iw = ow * win.Stride - win.Pad + j;
        return (uint)ih < (uint)image.Height && (uint)iw < (uint)image.Width
            ? (c * image.Height + ih) * image.Width + iw
            : image.Size;
    }

    /// <summary>When <paramref name="needed"/>, a Pad of one zero after each flat sample; the value to gather from.</summary>
    static (NodeProto[] Nodes, TensorProto[] Constants, string Output) ZeroAfter(OnnxSite s, string flat, bool needed)
    {
        if (!needed)
            return ([], [], flat);
        var (pads, padded) = (s.Name("pads"), s.Name("padded"));
        return ([OnnxSite.Node("Pad", padded, flat, pads)], [OnnxSite.Int64s(pads, 0, 0, 0, 1)], padded);
    }

    /// <summary>The target shape 0×C×H×W: Reshape's 0 copies the batch extent, so shape inference keeps it the
    /// symbolic N (a −1 would make it a new unknown).</summary>
    static TensorProto ImageShape(string name, SampleShape image) =>
        OnnxSite.Int64s(name, 0, image.Channels, image.Height, image.Width);
}
