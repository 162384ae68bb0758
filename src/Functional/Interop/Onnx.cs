using Functional.Core;
using Functional.Interop.OnnxProto;
using Functional.Layers;
using Functional.Models;
using Functional.Training;
using Google.Protobuf;
using LanguageExt;
using LanguageExt.Common;

namespace Functional.Interop;

/// <summary>
/// Exports a trained network as an ONNX model for inference: a float64 graph from an input <c>"input"</c> of shape
/// N×inputs (N×C×H×W, row-major, for a network with an image input shape such as SimpleConvNet) to an output
/// <c>"output"</c> of shape N×outputs (the class probabilities for a softmax classifier, the scores for a
/// regression), with every parameter and running statistic as a constant. The layers' ONNX forms are in
/// <see cref="OnnxLayers"/> and <see cref="OnnxImageLayers"/>; the network's JSON spec is kept in the model's
/// metadata under <c>functional.network</c>.
/// </summary>
/// <remarks>
/// By default every value stays float64, convolutions included: ONNX Runtime's CPU <c>Conv</c> and
/// <c>AveragePool</c> exist in float32 only, so Conv2D and AvgPool2D are written as a <c>Gather</c> of the image's
/// taps followed by a <c>MatMul</c> or a <c>ReduceSum</c> (nodes it runs in float64), never as float32 nodes behind
/// <c>Cast</c>s. The outputs agree with <see cref="Network.Predict(Params, ModelState, Tensor, int)"/> to a
/// relative 1e-12 for dense and convolutional networks alike. <see cref="OnnxPrecision.Float32"/> writes a float32
/// graph with the standard <c>Conv</c> and <c>AveragePool</c> nodes instead, for runtimes and tools that expect them;
/// its outputs agree to float32's precision only.
/// </remarks>
public static class Onnx
{
    /// <summary>The ONNX IR version written (ONNX 1.10 and later read it).</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default operator set the nodes are taken from.</summary>
    public const long Opset = 13;

    /// <summary>The graph's input and output names.</summary>
    public const string InputName = "input",
        OutputName = "output";

    /// <summary>
    /// Writes the model to <paramref name="path"/> whole or not at all (<see cref="AtomicFile"/>). A layer without an
    /// ONNX form or a file that cannot be written is a <c>Fin</c> error naming it; arrays that do not match the
    /// network are an <see cref="ArgumentException"/>, as elsewhere in the library.
    /// </summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="net">The network.</param>
    /// <param name="ps">Its trained parameters.</param>
    /// <param name="st">Its model state (BatchNorm's running statistics: the export is the evaluation mode).</param>
    /// <param name="precision">The graph's element type: float64 (the default, the library's arithmetic) or float32
    /// (standard Conv and AveragePool nodes, float32's precision).</param>
    public static Fin<Unit> Export(
        string path,
        Network net,
        Params ps,
        ModelState st,
        OnnxPrecision precision = OnnxPrecision.Float64
    )
    {
        byte[] bytes;
        try
        {
            bytes = Encode(net, ps, st, precision);
        }
        catch (NotSupportedException e)
        {
            return Error.New($"ONNX export: {e.Message}");
        }
        try
        {
            AtomicFile.Write(path, bytes);
            return Prelude.unit;
        }
        catch (OutputWriteException e)
        {
            return Error.New(e);
        }
    }

    /// <summary>The bytes <see cref="Export"/> writes (a serialized ONNX <c>ModelProto</c>).</summary>
    /// <exception cref="NotSupportedException">A layer or loss has no ONNX form.</exception>
    /// <exception cref="ArgumentException">The arrays do not match the network.</exception>
    public static byte[] Encode(Network net, Params ps, ModelState st, OnnxPrecision precision = OnnxPrecision.Float64)
    {
        ArgumentNullException.ThrowIfNull(net);
        ModelArrays.Require(net, ps, st, "ONNX export");
        var graph = new GraphProto { Name = "functional" };
        graph.Input.Add(Value(InputName, InputDims(net.InputShape), precision));
        var current = InputName;
        var shape = net.InputShape;
        foreach (var (layer, i) in net.Indexed)
        {
            var part =
                OnnxLayers.Of(layer, new OnnxSite(i, layer.Kind, current, shape, ps, st, precision))
                ?? throw new NotSupportedException(
                    $"layer {i} ({layer.Describe()}, kind '{layer.Kind}') has no ONNX form"
                );
            graph.Node.AddRange(part.Nodes);
            graph.Initializer.AddRange(part.Constants);
            current = part.Output;
            shape = layer.OutputShape(shape);
        }
        if (shape.IsImage) // the scores are a batch of vectors, as Network.Predict returns them
        {
            graph.Node.Add(OnnxSite.With(OnnxSite.Node("Flatten", "scores", current), OnnxSite.Int("axis", 1)));
            current = "scores";
        }
        graph.Node.Add(
            net.Loss switch
            {
                SoftmaxWithLoss => Softmax(current),
                MeanSquaredError => OnnxSite.Node("Identity", OutputName, current),
                var l => throw new NotSupportedException($"the loss {l.Describe()} has no ONNX output"),
            }
        );
        graph.Output.Add(Value(OutputName, [null, net.Outputs], precision));
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Functional",
            ProducerVersion = typeof(Onnx).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = graph,
            DocString =
                $"Functional network in evaluation mode ({(precision == OnnxPrecision.Float32 ? "float32" : "float64")}).",
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(
            new StringStringEntryProto { Key = "functional.network", Value = NetworkSpec.ToJson(net).ToJsonString() }
        );
        return model.ToByteArray();
    }

    /// <summary>Softmax over the classes of each sample (the probabilities <see cref="Network.Predict(Params, ModelState, Tensor, int)"/> returns).</summary>
    static NodeProto Softmax(string input)
    {
        var n = OnnxSite.Node("Softmax", OutputName, input);
        n.Attribute.Add(
            new AttributeProto
            {
                Name = "axis",
                Type = AttributeProto.Types.AttributeType.Int,
                I = -1,
            }
        );
        return n;
    }

    /// <summary>N×features, or N×C×H×W for an image (the batch axis symbolic).</summary>
    static int?[] InputDims(SampleShape s) => s.IsImage ? [null, s.Channels, s.Height, s.Width] : [null, s.Size];

    /// <summary>A tensor value of the graph's element type; a null extent is the symbolic batch size "N".</summary>
    static ValueInfoProto Value(string name, int?[] dims, OnnxPrecision precision)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(
                d is int v
                    ? new TensorShapeProto.Types.Dimension { DimValue = v }
                    : new TensorShapeProto.Types.Dimension { DimParam = "N" }
            );
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)OnnxSite.ElementType(precision),
                    Shape = shape,
                },
            },
        };
    }
}
