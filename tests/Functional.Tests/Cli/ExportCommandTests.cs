using Functional.Cli;
using Functional.Cli.Commands;
using Functional.Core;
using Functional.Interop;
using Functional.Tests.Interop;
using Functional.Training;
using Xunit;

namespace Functional.Tests.Cli;

/// <summary>
/// <c>fnn export</c> in-process through <see cref="Functional.Cli.Cli.Run"/>: the files it writes run in ONNX
/// Runtime or read back bitwise, and bad input is exit code 2 with one line on stderr.
/// </summary>
[Collection("Console")]
public sealed class ExportCommandTests
{
    static readonly string Root = Directory
        .CreateDirectory(Path.Combine(Path.GetTempPath(), "fnn-export-" + Guid.NewGuid().ToString("N")))
        .FullName;

    static string P(string name) => Path.Combine(Root, name);

    /// <summary>A checkpoint from a 1-epoch run on 100 digits (the default network, with BatchNorm), made once.</summary>
    static readonly Lazy<string> Model = new(() =>
    {
        var dir = P("run");
        Assert.Equal(
            0,
            TrainCommand.Run(TrainConfig.Default with { Epochs = 1, LimitTrain = 100 }, dir, null, TextWriter.Null)
        );
        return Path.Combine(dir, "model.ckpt");
    });

    static (int Code, string Err, string Out) Run(params string[] args)
    {
        var (err, @out) = (new StringWriter(), new StringWriter());
        var (oldErr, oldOut) = (Console.Error, Console.Out);
        Console.SetError(err);
        Console.SetOut(@out);
        try
        {
            return (Functional.Cli.Cli.Run(args), err.ToString(), @out.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
            Console.SetOut(oldOut);
        }
    }

    static Checkpoint Loaded =>
        Checkpoint.Load(Model.Value).Match(x => x, e => throw new InvalidOperationException(e.Message));

    [Fact]
    public void Onnx_export_writes_a_model_that_onnx_runtime_runs_like_the_checkpoint()
    {
        var file = P("digits.onnx");
        var (code, err, @out) = Run("export", "--model", Model.Value, "--format", "onnx", "--out", file);
        Assert.True(code == 0, err);
        Assert.Contains("input 'input' N×64, output 'output' N×10", @out, StringComparison.Ordinal);
        var c = Loaded;
        var x = Mat.RowRange(Functional.Data.DataSets.Digits(1).Test.X, 0, 50);
        var ours = RowMajor.Of(c.Net.Predict(c.State.Params, c.State.Model, x));
        var ort = OnnxExportTests.RunInOrt(File.ReadAllBytes(file), x);
        Assert.True(ExportModels.MaxRelativeDifference(ours, ort) <= 1e-12);
    }

    [Fact]
    public void Onnx_export_of_a_simple_convnet_checkpoint_takes_images_and_runs_like_the_checkpoint()
    {
        var dir = P("conv-run");
        var config = TrainConfig.SimpleConvNet with
        {
            Dataset = "digits",
            Epochs = 2,
            LimitTrain = 100,
            Batch = 10,
            LearningRate = 0.01,
        };
        Assert.Equal(0, TrainCommand.Run(config, dir, null, TextWriter.Null));
        var (model, file) = (Path.Combine(dir, "model.ckpt"), P("conv.onnx"));
        var (code, err, @out) = Run("export", "--model", model, "--format", "onnx", "--out", file);
        Assert.True(code == 0, err);
        Assert.Contains("input 'input' N×1×8×8, output 'output' N×10", @out, StringComparison.Ordinal);
        var c = Checkpoint.Load(model).Match(x => x, e => throw new InvalidOperationException(e.Message));
        var x = Mat.RowRange(Functional.Data.DataSets.Digits(1).Test.X, 0, 50);
        var ours = RowMajor.Of(c.Net.Predict(c.State.Params, c.State.Model, x));
        var ort = OnnxExportTests.RunInOrt(File.ReadAllBytes(file), x);
        Assert.True(ExportModels.MaxRelativeDifference(ours, ort) <= 1e-12);
        (code, err, @out) = Run(
            "export",
            "--model",
            model,
            "--format",
            "onnx",
            "--dtype",
            "f32",
            "--out",
            P("c32.onnx")
        );
        Assert.True(code == 0, err);
        Assert.Contains("float32), input 'input' N×1×8×8", @out, StringComparison.Ordinal);
        var bytes = File.ReadAllBytes(P("c32.onnx"));
        Assert.Contains(
            Functional.Interop.OnnxProto.ModelProto.Parser.ParseFrom(bytes).Graph.Node,
            n => n.OpType == "Conv"
        );
    }

    [Fact]
    public void Safetensors_export_reads_back_bitwise_and_defaults_to_the_checkpoints_name()
    {
        var copy = P("copy/model.ckpt");
        Directory.CreateDirectory(P("copy"));
        File.Copy(Model.Value, copy, overwrite: true);
        var (code, err, _) = Run("export", "--model", copy, "--format", "safetensors");
        Assert.True(code == 0, err);
        var back = SafeTensors
            .Import(P("copy/model.safetensors"))
            .Match(x => x, e => throw new InvalidOperationException(e.Message));
        var c = Loaded;
        Assert.Equal(c.Net, back.Net);
        foreach (var (k, t) in c.State.Params.Values)
            Assert.True(Mat.BitwiseEqual(t, back.Params[k]), k.ToString());
        foreach (var (k, t) in c.State.Model.Values)
            Assert.True(Mat.BitwiseEqual(t, back.State[k]), k.ToString());
    }

    [Fact]
    public void Dtype_f32_writes_float32_tensors()
    {
        var file = P("f32.safetensors");
        var (code, err, @out) = Run(
            "export",
            "--model",
            Model.Value,
            "--format",
            "safetensors",
            "--dtype",
            "f32",
            "--out",
            file,
            "--overwrite"
        );
        Assert.True(code == 0, err);
        Assert.Contains("safetensors (F32)", @out, StringComparison.Ordinal);
        Assert.Contains(
            "\"dtype\":\"F32\"",
            System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void An_existing_out_file_is_kept_unless_overwrite_is_passed()
    {
        var file = P("exists.onnx");
        File.WriteAllText(file, "keep me");
        var (code, err, _) = Run("export", "--model", Model.Value, "--format", "onnx", "--out", file);
        Assert.Equal(2, code);
        Assert.Contains("exists; choose another name or pass --overwrite", err, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(file));
        (code, err, _) = Run("export", "--model", Model.Value, "--format", "onnx", "--out", file, "--overwrite");
        Assert.True(code == 0, err);
        Assert.NotEqual("keep me", File.ReadAllText(file));
    }

    public static TheoryData<string, string[]> BadInput =>
        new()
        {
            { "--format: expected one of onnx, safetensors, got 'tflite'", ["--format", "tflite"] },
            { "--dtype: expected one of f64, f32, got 'f16'", ["--format", "safetensors", "--dtype", "f16"] },
            { "is a directory", ["--format", "onnx", "--out", "@dir"] },
            { "is the --model file itself", ["--format", "onnx", "--out", "@model", "--overwrite"] },
            { "cannot read checkpoint", ["--format", "onnx", "--model", "@absent.ckpt", "--out", "@x.onnx"] },
            { "not a Functional checkpoint", ["--format", "onnx", "--model", "@text.ckpt", "--out", "@y.onnx"] },
        };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_is_one_line_and_exit_code_2(string expected, string[] args)
    {
        Directory.CreateDirectory(P("dir"));
        File.WriteAllText(P("text.ckpt"), "not a checkpoint\n");
        string Arg(string a) =>
            a switch
            {
                "@model" => Model.Value,
                _ when a.StartsWith('@') => P(a[1..]),
                _ => a,
            };
        var full = args.Contains("--model") ? args.Select(Arg) : ["--model", Model.Value, .. args.Select(Arg)];
        var (code, err, _) = Run(["export", .. full]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(File.Exists(P("x.onnx")) || File.Exists(P("y.onnx")));
    }

    [Fact]
    public void Help_names_every_option()
    {
        var (code, _, @out) = Run("export", "--help");
        Assert.Equal(0, code);
        foreach (var o in new[] { "--model", "--format", "--out", "--dtype", "--overwrite", "onnx", "safetensors" })
            Assert.Contains(o, @out, StringComparison.Ordinal);
    }
}
