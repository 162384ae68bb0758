using Functional.Interop;
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
/// The exported ONNX models run in ONNX Runtime and agree with the network's evaluation-mode output within a
/// relative 1e-12 (ONNX Runtime sums products in its own order, so the bits may differ: never snapshot its output).
/// </summary>
public sealed class OnnxExportTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-12;

    /// <summary>The model's outputs for <paramref name="x"/> in ONNX Runtime, row-major.</summary>
    internal static double[] RunInOrt(byte[] model, Tensor x)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = new DenseTensor<double>(RowMajor.Of(x), [x.RowCount, x.ColumnCount]);
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
    /// Opt-in (FNN_ONNX_CHECKER=1): Debian's python3-onnx checks every exported model with
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
        {
            var m = ExportModels.Named(name);
            var path = Path.Combine(dir.Path, name + ".onnx");
            FinAssert.Succ(Onnx.Export(path, m.Net, m.Params, m.State));
            var (code, text) = Python.Run(
                "-c",
                "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
                    + "print(sys.argv[1].rsplit('/', 1)[-1], 'onnx', onnx.__version__, 'ir', m.ir_version, "
                    + "'opset', m.opset_import[0].version, 'nodes', len(m.graph.node), 'check_model: ok')",
                path
            );
            output.WriteLine(text.Trim());
            Assert.True(code == 0, text);
        }
    }
}
