using Functional.Interop;
using Functional.Interop.OnnxProto;
using Functional.Layers;
using Functional.Models;
using Functional.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;
using Tensor = Functional.Core.Tensor;

namespace Functional.Tests.Interop;

/// <summary>
/// The exported ONNX models, dense and convolutional, run in ONNX Runtime and agree with the network's
/// evaluation-mode output within a relative 1e-12 (ONNX Runtime sums products in its own order, so the bits may
/// differ: never snapshot its output).
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-12;

    /// <summary>
    /// The float32 graph's bar, from float32's unit roundoff u = 2⁻²⁴ ≈ 6·10⁻⁸: a float32 sum of K products is off
    /// by about √K·u of the sum of their magnitudes when the roundings' signs vary (K·u at worst), and a softmax turns
    /// an absolute error δ in the scores into a relative error of at most 2δ in the probabilities. The longest sum
    /// here, SimpleConvNet's 4320-term Affine, gives √4320·u ≈ 4·10⁻⁶ of its magnitudes; 10⁻⁴ leaves room for a few
    /// such layers and magnitudes up to ~10. Measured: at most 4.2·10⁻⁶.
    /// </summary>
    const double Float32Tolerance = 1e-4;

    /// <summary>The model's outputs for <paramref name="x"/> (one sample a row) in ONNX Runtime, row-major; the rows
    /// are given the shape the model declares for its input (N×C×H×W for an image network).</summary>
    internal static double[] RunInOrt(byte[] model, Tensor x)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        int[] dims = [x.RowCount, .. session.InputMetadata[Onnx.InputName].Dimensions[1..]];
        Assert.Equal(x.ColumnCount, dims[1..].Aggregate(1, (a, d) => a * d));
        var input = new DenseTensor<double>(RowMajor.Of(x), dims);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(Onnx.InputName, input)]);
        var y = results.Single(r => r.Name == Onnx.OutputName).AsTensor<double>();
        Assert.Equal([x.RowCount, y.Dimensions[1]], y.Dimensions.ToArray());
        return y.ToArray();
    }

    [Theory]
    [MemberData(nameof(ExportModels.Names), MemberType = typeof(ExportModels))]
    public void Onnx_runtime_agrees_with_the_evaluation_mode_output(string name)
    {
        var m = ExportModels.Named(name);
        var expected = m.Net.Predict(m.Params, m.State, m.Batch);
        var ort = RunInOrt(Onnx.Encode(m.Net, m.Params, m.State), m.Batch);
        var ours = expected.ToRowArrays().SelectMany(r => r).ToArray();
        var diff = ExportModels.MaxRelativeDifference(ours, ort);
        output.WriteLine($"{name}: {m.Batch.RowCount} samples, max relative difference {diff:E3}");
        Assert.True(diff <= Tolerance, $"{name}: max relative difference {diff:E3} > {Tolerance:E0}");
    }

    /// <summary>The float32 model's outputs for <paramref name="x"/>, widened, row-major.</summary>
    static double[] RunInOrtFloat32(byte[] model, Tensor x)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        int[] dims = [x.RowCount, .. session.InputMetadata[Onnx.InputName].Dimensions[1..]];
        var input = new DenseTensor<float>(RowMajor.Of(x).Select(v => (float)v).ToArray(), dims);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(Onnx.InputName, input)]);
        return [.. results.Single(r => r.Name == Onnx.OutputName).AsTensor<float>().Select(v => (double)v)];
    }

    /// <summary>Each element rounded to the nearest float32 (what a float32 graph holds), kept as a double.</summary>
    static Tensor ToFloat32(Tensor t)
    {
        var r = Functional.Core.Mat.Wrap(t.RowCount, t.ColumnCount, [.. t.ToArray().Select(v => (double)(float)v)]);
        return t.Rank == 2 ? r : r.Reshape([.. t.Dims]);
    }

    static LanguageExt.Map<Functional.Core.ParamKey, Tensor> ToFloat32(
        LanguageExt.Map<Functional.Core.ParamKey, Tensor> arrays
    )
    {
        var rounded = arrays;
        foreach (var (k, t) in arrays)
            rounded = rounded.SetItem(k, ToFloat32(t));
        return rounded;
    }

    [Theory]
    [MemberData(nameof(ExportModels.Names), MemberType = typeof(ExportModels))]
    public void A_float32_graph_agrees_with_the_network_on_the_same_float32_values(string name)
    {
        var m = ExportModels.Named(name);
        var ps = new Functional.Core.Params(ToFloat32(m.Params.Values));
        var st = new Functional.Core.ModelState(ToFloat32(m.State.Values));
        var x = ToFloat32(m.Batch);
        // The library's float64 arithmetic on exactly the values the float32 graph and its input hold: what is left
        // is the runtime's float32 rounding of each operation.
        var expected = RowMajor.Of(m.Net.Predict(ps, st, x));
        var ort = RunInOrtFloat32(Onnx.Encode(m.Net, m.Params, m.State, OnnxPrecision.Float32), x);
        var diff = ExportModels.MaxRelativeDifference(expected, ort);
        output.WriteLine($"{name} float32: max relative difference {diff:E3}");
        Assert.True(diff <= Float32Tolerance, $"{name}: max relative difference {diff:E3} > {Float32Tolerance:E0}");
    }

    [Theory]
    [InlineData("simple-convnet", new long[] { 1, 28, 28 })]
    [InlineData("conv-stride-pad", new long[] { 1, 8, 8 })]
    public void An_image_network_takes_NxCxHxW_images_and_stays_float64(string name, long[] image)
    {
        var m = ExportModels.Named(name);
        var model = ModelProto.Parser.ParseFrom(Onnx.Encode(m.Net, m.Params, m.State));
        var input = model.Graph.Input.Single().Type.TensorType;
        Assert.Equal("N", input.Shape.Dim[0].DimParam);
        Assert.Equal(image, input.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal((int)TensorProto.Types.DataType.Double, input.ElemType);
        // No value passes through float32: no Cast, and none of the nodes ONNX Runtime has only in float32.
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "Cast" or "Conv" or "AveragePool");
        // The float32 graph has the standard nodes instead of the gathered windows.
        var single = ModelProto.Parser.ParseFrom(Onnx.Encode(m.Net, m.Params, m.State, OnnxPrecision.Float32));
        Assert.Contains(single.Graph.Node, n => n.OpType == "Conv");
        Assert.DoesNotContain(single.Graph.Node, n => n.OpType is "Gather" or "Cast");
        Assert.All(single.Graph.Initializer, t => Assert.Equal((int)TensorProto.Types.DataType.Float, t.DataType));
        Assert.All(
            model.Graph.Initializer,
            t =>
                Assert.Contains(
                    (TensorProto.Types.DataType)t.DataType,
                    new[]
                    {
                        TensorProto.Types.DataType.Double,
                        TensorProto.Types.DataType.Int32,
                        TensorProto.Types.DataType.Int64,
                    }
                )
        );
    }

    /// <summary>
    /// Why the convolution and the average pool are written as Gather and MatMul or ReduceSum: ONNX Runtime 1.31.1's
    /// CPU provider has them in float32 only, while its MaxPool takes float64. Should a later version add them,
    /// this fails and the plain nodes can be used.
    /// </summary>
    [Theory]
    [InlineData("Conv", false)]
    [InlineData("AveragePool", false)]
    [InlineData("MaxPool", true)]
    public void Onnx_runtime_runs_only_some_image_nodes_in_float64(string op, bool runs)
    {
        var graph = new GraphProto { Name = "probe" };
        var node = OnnxSite.Node(op, "y", "x");
        node.Attribute.Add(OnnxSite.Ints("kernel_shape", 2, 2));
        if (op == "Conv")
        {
            node.Input.Add("w");
            graph.Initializer.Add(OnnxSite.Constant("w", [1, 1, 2, 2], [1.0, 2.0, 3.0, 4.0]));
        }
        graph.Node.Add(node);
        graph.Input.Add(DoubleValue("x", 1, 1, 3, 3));
        graph.Output.Add(DoubleValue("y", 1, 1, 2, 2));
        var model = new ModelProto { IrVersion = Onnx.IrVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Onnx.Opset });
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);
        if (runs)
        {
            using var session = new InferenceSession(bytes);
            Assert.NotNull(session);
        }
        else
        {
            var e = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(bytes).Dispose());
            Assert.Contains($"Could not find an implementation for {op}", e.Message, StringComparison.Ordinal);
        }
    }

    static ValueInfoProto DoubleValue(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Double,
                    Shape = shape,
                },
            },
        };
    }

    [Fact]
    public void The_batchnorm_statistics_matter_to_the_exported_model()
    {
        // A test that could not fail if the export ignored the running statistics: the same net with fresh statistics.
        var m = ExportModels.Named("digits-bn");
        var ort = RunInOrt(Onnx.Encode(m.Net, m.Params, m.Net.InitState()), m.Batch);
        var ours = m.Net.Predict(m.Params, m.State, m.Batch).ToRowArrays().SelectMany(r => r).ToArray();
        Assert.True(ExportModels.MaxRelativeDifference(ours, ort) > 1e-3);
    }

    [Fact]
    public void Export_writes_the_file_atomically_and_reports_a_failure_as_a_Fin_error()
    {
        var m = ExportModels.Named("two-layer");
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "sub", "model.onnx");
        FinAssert.Succ(Onnx.Export(path, m.Net, m.Params, m.State));
        Assert.Equal(Onnx.Encode(m.Net, m.Params, m.State), File.ReadAllBytes(path));
        var blocked = Path.Combine(path, "x.onnx"); // a file where a directory must be
        var e = FinAssert.Fail(Onnx.Export(blocked, m.Net, m.Params, m.State));
        Assert.Contains("x.onnx", e, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", e, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_without_an_onnx_form_is_a_Fin_error_naming_it()
    {
        var net = new Network(
            3,
            LanguageExt.Prelude.toSeq(new Layer[] { new Layers.Scale(2.0) }),
            new MeanSquaredError()
        );
        var e = FinAssert.Fail(Onnx.Export("unused.onnx", net, net.Init(Functional.Core.Key.Of(1)), net.InitState()));
        Assert.Contains("layer 0", e, StringComparison.Ordinal);
        Assert.False(File.Exists("unused.onnx"));
    }

    [Fact]
    public void Arrays_that_do_not_match_the_network_are_an_argument_error()
    {
        var m = ExportModels.Named("two-layer");
        var ps = m.Params with { Values = m.Params.Values.SetItem(new(0, "b"), Tensor.Zeros(1, 3)) };
        var e = Assert.Throws<ArgumentException>(() => Onnx.Encode(m.Net, ps, m.State));
        Assert.Contains("'0.b' is 1×3, the network expects 1×50", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// check_model(full_check=True) runs ONNX's shape inference too; the strict inference run again here must
    /// also find, from the input's declared shape alone, the N×outputs shape of the scores the output node reads
    /// (through every Gather, Reshape and pool of an image network).
    /// </summary>
    const string CheckerScript = """
        import sys, onnx
        from onnx import shape_inference
        m = onnx.load(sys.argv[1])
        onnx.checker.check_model(m, full_check=True)
        inferred = shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
        scores = next(n.input[0] for n in m.graph.node if n.output[0] == 'output')
        dims = next(v.type.tensor_type.shape.dim for v in inferred.graph.value_info if v.name == scores)
        shape = 'x'.join(d.dim_param or str(d.dim_value) for d in dims)
        declared = 'x'.join(d.dim_param or str(d.dim_value) for d in m.graph.output[0].type.tensor_type.shape.dim)
        assert shape == declared, f'scores inferred as {shape}, output declared {declared}'
        print(sys.argv[1].rsplit('/', 1)[-1], 'onnx', onnx.__version__, 'ir', m.ir_version,
              'opset', m.opset_import[0].version, 'nodes', len(m.graph.node), 'check_model: ok,',
              'scores inferred', shape)
        """;

    /// <summary>
    /// Opt-in (FNN_ONNX_CHECKER=1): Debian's python3-onnx checks every exported model, float64 and float32, with
    /// <c>onnx.checker.check_model(full_check=True)</c>, which also runs ONNX's shape inference.
    /// </summary>
    [Fact]
    public void The_exported_models_pass_onnx_checker_when_asked()
    {
        if (Environment.GetEnvironmentVariable("FNN_ONNX_CHECKER") != "1")
        {
            output.WriteLine("skipped: set FNN_ONNX_CHECKER=1 (needs python3-onnx) to run onnx.checker");
            return;
        }
        using var dir = new TempDir();
        foreach (var name in ExportModels.NameList)
        foreach (var precision in new[] { OnnxPrecision.Float64, OnnxPrecision.Float32 })
        {
            var m = ExportModels.Named(name);
            var suffix = precision == OnnxPrecision.Float32 ? ".f32" : "";
            var path = Path.Combine(dir.Path, name + suffix + ".onnx");
            FinAssert.Succ(Onnx.Export(path, m.Net, m.Params, m.State, precision));
            var (code, text) = Python.Run("-c", CheckerScript, path);
            output.WriteLine(text.Trim());
            Assert.True(code == 0, text);
        }
    }
}
