using Functional.Interop.OnnxProto;
using Functional.Layers;

namespace Functional.Interop;

/// <summary>
/// Each layer kind's ONNX form, one small function per kind: adding a layer to the exporter is one more case of
/// <see cref="Of"/>. A layer without a case (a user-defined kind) makes the export fail with its index and kind.
/// The image layers' forms are in <see cref="OnnxImageLayers"/>.
/// </summary>
internal static class OnnxLayers
{
    /// <summary>The nodes for <paramref name="layer"/> at <paramref name="site"/>, or null when it has no ONNX form.</summary>
    public static OnnxPart? Of(Layer layer, OnnxSite site) =>
        layer switch
        {
            Layers.Affine => Affine(site),
            BatchNorm b => BatchNorm(b, site),
            Relu => Unary("Relu", site),
            Sigmoid => Unary("Sigmoid", site),
            Tanh => Unary("Tanh", site),
            Dropout d => Dropout(d, site),
            Conv2D c => OnnxImageLayers.Conv(c, site),
            MaxPool2D m => OnnxImageLayers.MaxPool(m, site),
            AvgPool2D a => OnnxImageLayers.AvgPool(a, site),
            Layers.Flatten => OnnxImageLayers.Flatten(site),
            _ => null,
        };

    /// <summary>y = x·W + b as one Gemm (W kept In×Out, b broadcast over the batch).</summary>
    static OnnxPart Affine(OnnxSite s)
    {
        var (w, b, y) = (s.Name("W"), s.Name("b"), s.Name("y"));
        return new([OnnxSite.Node("Gemm", y, s.Input, w, b)], [s.Array(w, s.Param("W")), s.Vector(b, s.Param("b"))], y);
    }

    /// <summary>
    /// BatchNorm in evaluation mode as the library computes it, ((x − mean) / std)·γ + β with std = √(var + ε) taken
    /// here in float64: Sub, Div, Mul and Add are single IEEE operations, so a runtime repeats the library's
    /// arithmetic. (ONNX's BatchNormalization node carries ε as a float32 attribute, which would move the result.)
    /// </summary>
    static OnnxPart BatchNorm(BatchNorm layer, OnnxSite s)
    {
        var mean = s.Statistic("mean").Span;
        var variance = s.Statistic("var").Span;
        var std = new double[layer.Features];
        for (var j = 0; j < std.Length; j++)
            std[j] = Math.Sqrt(variance[j] + layer.Config.Epsilon);
        var (m, sd, g, b) = (s.Name("mean"), s.Name("std"), s.Name("gamma"), s.Name("beta"));
        var (xc, xn, xs, y) = (s.Name("centred"), s.Name("normalized"), s.Name("scaled"), s.Name("y"));
        return new(
            [
                OnnxSite.Node("Sub", xc, s.Input, m),
                OnnxSite.Node("Div", xn, xc, sd),
                OnnxSite.Node("Mul", xs, xn, g),
                OnnxSite.Node("Add", y, xs, b),
            ],
            [
                s.Real(m, [mean.Length], mean),
                s.Real(sd, [std.Length], std),
                s.Vector(g, s.Param("gamma")),
                s.Vector(b, s.Param("beta")),
            ],
            y
        );
    }

    /// <summary>
    /// The book's Dropout draws no mask at inference but scales by the kept fraction, x·(1 − ratio): one Mul by a
    /// scalar constant (nothing at all for ratio 0, where the product is x).
    /// </summary>
    static OnnxPart Dropout(Dropout layer, OnnxSite s)
    {
        if (layer.Ratio == 0)
            return OnnxPart.Absent(s.Input);
        var (keep, y) = (s.Name("keep"), s.Name("y"));
        return new([OnnxSite.Node("Mul", y, s.Input, keep)], [s.Real(keep, [], [1.0 - layer.Ratio])], y);
    }

    /// <summary>An element-wise activation.</summary>
    static OnnxPart Unary(string op, OnnxSite s)
    {
        var y = s.Name("y");
        return new([OnnxSite.Node(op, y, s.Input)], [], y);
    }
}
