using System.CommandLine;
using Functional.Interop;
using Functional.Training;
using CliOption = System.CommandLine.Option<string>;

namespace Functional.Cli.Commands;

/// <summary>`export --model FILE --format onnx|safetensors --out FILE`: a trained model for other runtimes.</summary>
public sealed class ExportCommand : ICliCommand
{
    static readonly string[] Formats = ["onnx", "safetensors"];
    static readonly string[] DTypes = ["f64", "f32"];

    public Command Build()
    {
        var model = new CliOption("--model")
        {
            Description = "a checkpoint written by train (model.ckpt)",
            Required = true,
        };
        var format = new CliOption("--format")
        {
            Description =
                "onnx: an inference graph, float64 unless --dtype f32 (input 'input' N×features, or N×C×H×W for a convolutional network; output 'output': the probabilities, or the scores of a regression); "
                + "safetensors: the parameters and BatchNorm statistics, row-major, with the network spec in __metadata__",
            Required = true,
        };
        var outFile = new CliOption("--out")
        {
            Description = "the file to write (default: the checkpoint's name with .onnx or .safetensors)",
        };
        var dtype = new CliOption("--dtype")
        {
            Description =
                "f64 (the default): exact values, and for onnx a float64 graph (convolutions as Gather + MatMul, since ONNX Runtime's Conv is float32-only); "
                + "f32: each value rounded to nearest, and for onnx a float32 graph with the standard Conv and AveragePool nodes",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "replace an existing --out file" };
        var cmd = new Command("export", "Export a trained model as ONNX or safetensors (written atomically).")
        {
            model,
            format,
            outFile,
            dtype,
            overwrite,
        };
        cmd.SetAction(r =>
            Run(
                r.GetValue(model)!,
                r.GetValue(format)!,
                r.GetValue(outFile),
                r.GetValue(dtype),
                r.GetValue(overwrite),
                Console.Out
            )
        );
        return cmd;
    }

    public static int Run(
        string modelPath,
        string format,
        string? outPath,
        string? dtype,
        bool overwrite,
        TextWriter log
    )
    {
        var kind = TrainConfig.Parse.OneOf("--format", format, Formats);
        var single = TrainConfig.Parse.OneOf("--dtype", dtype ?? "f64", DTypes) == "f32";
        var type = single ? SafeTensorsDType.F32 : SafeTensorsDType.F64;
        var precision = single ? OnnxPrecision.Float32 : OnnxPrecision.Float64;
        var target = OutputLocation.File(outPath ?? Path.ChangeExtension(modelPath, "." + kind), overwrite);
        if (string.Equals(target, Path.GetFullPath(modelPath), StringComparison.Ordinal))
            throw new UsageException($"--out {OutputLocation.Safe(outPath ?? target)}: is the --model file itself");
        var c = Checkpoint.Load(modelPath).Match(Succ: x => x, Fail: e => throw new UsageException(e.Message));
        var (ps, st) = (c.State.Params, c.State.Model);
        if (kind == "onnx")
        {
            // A write failure keeps its exit code; a layer without an ONNX form is the input's fault.
            _ = Onnx.Export(target, c.Net, ps, st, precision)
                .Match(
                    Succ: u => u,
                    Fail: e =>
                        throw (
                            e.ToException() as OutputWriteException
                            ?? (Exception)new UsageException($"--model {modelPath}: {e.Message}")
                        )
                );
            log.WriteLine(
                $"wrote {target}: ONNX (IR {Onnx.IrVersion}, opset {Onnx.Opset}, {(single ? "float32" : "float64")}), input '{Onnx.InputName}' N×{c.Net.InputShape}, output '{Onnx.OutputName}' N×{c.Net.Outputs}"
            );
        }
        else
        {
            SafeTensors.Export(target, c.Net, ps, st, type).ThrowIfFail();
            log.WriteLine(
                $"wrote {target}: safetensors ({type}), {ps.Count + st.Values.Count} tensors, the network spec in __metadata__"
            );
        }
        return 0;
    }
}
