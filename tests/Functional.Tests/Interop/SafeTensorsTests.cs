using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Interop;
using Functional.Tests.Data;
using LanguageExt;
using Xunit;
using Xunit.Abstractions;

namespace Functional.Tests.Interop;

/// <summary>
/// safetensors export and import: a bitwise round trip, an independent reader (Python's standard library, from the
/// format's specification) that recomputes the forward pass, and one-line errors for damaged or mismatched files.
/// </summary>
public sealed class SafeTensorsTests(ITestOutputHelper output)
{
    const double Tolerance = 1e-12;

    static void AssertSameArrays(Map<ParamKey, Tensor> expected, Map<ParamKey, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (k, t) in expected)
        {
            Assert.Equal(t.Dims.ToArray(), actual[k].Dims.ToArray());
            Assert.True(Mat.BitwiseEqual(t, actual[k]), $"{what} {k} changed");
        }
    }

    [Theory]
    [MemberData(nameof(ExportModels.Names), MemberType = typeof(ExportModels))]
    public void A_round_trip_is_bitwise(string name)
    {
        var m = ExportModels.Named(name);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, name + ".safetensors");
        FinAssert.Succ(SafeTensors.Export(path, m.Net, m.Params, m.State));
        var back = FinAssert.Succ(SafeTensors.Import(path));
        Assert.Equal(m.Net, back.Net);
        AssertSameArrays(m.Params.Values, back.Params.Values, "parameter");
        AssertSameArrays(m.State.Values, back.State.Values, "state");
        Assert.Equal(File.ReadAllBytes(path), SafeTensors.Encode(back.Net, back.Params, back.State));
        TestData.AssertBitwise(
            m.Net.Predict(m.Params, m.State, m.Batch),
            back.Net.Predict(back.Params, back.State, m.Batch),
            "prediction"
        );
    }

    [Fact]
    public void The_layout_is_the_formats_row_major_with_names_by_layer_kind_and_role()
    {
        var m = ExportModels.Named("digits-bn");
        var bytes = SafeTensors.Encode(m.Net, m.Params, m.State);
        var (header, data) = Split(bytes);
        Assert.Equal(0, (8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes)) % 8); // data 8-byte aligned
        Assert.Equal(
            [
                "0.affine.W",
                "0.affine.b",
                "1.batchnorm.beta",
                "1.batchnorm.gamma",
                "3.affine.W",
                "3.affine.b",
                "1.batchnorm.running_mean",
                "1.batchnorm.running_var",
            ],
            header.Where(p => p.Key != "__metadata__").Select(p => p.Key).ToArray()
        );
        var w = header["0.affine.W"]!;
        Assert.Equal("[64,32]", w["shape"]!.ToJsonString());
        var begin = w["data_offsets"]![0]!.GetValue<int>();
        // Element (i, j) of W is at i·32 + j: row-major.
        var w01 = BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(begin + 8 * 1));
        var w10 = BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(begin + 8 * 32));
        Assert.Equal(m.Params[0, "W"][0, 1], w01);
        Assert.Equal(m.Params[0, "W"][1, 0], w10);
        Assert.Equal("Functional", header["__metadata__"]!["producer"]!.GetValue<string>());
    }

    [Fact]
    public void F32_files_round_each_value_to_nearest_and_read_back_widened()
    {
        var m = ExportModels.Named("digits-bn");
        var back = FinAssert.Succ(
            SafeTensors.Decode(SafeTensors.Encode(m.Net, m.Params, m.State, SafeTensorsDType.F32), "f32")
        );
        foreach (var (k, t) in m.Params.Values)
            Assert.Equal(t.ToArray().Select(v => (double)(float)v), back.Params[k].ToArray());
        foreach (var (k, t) in m.State.Values)
            Assert.Equal(t.ToArray().Select(v => (double)(float)v), back.State[k].ToArray());
    }

    /// <summary>The reader in safetensors_forward.py (no numpy) recomputes the probabilities from the file alone.</summary>
    [Theory]
    [MemberData(nameof(ExportModels.Names), MemberType = typeof(ExportModels))]
    public void An_independent_python_reader_recomputes_the_forward_pass(string name) =>
        CompareWithPython(name, torch: false);

    /// <summary>Opt-in (FNN_TORCH_CHECK=1, needs Debian's python3-torch): the file loaded into PyTorch modules.</summary>
    [Theory]
    [MemberData(nameof(ExportModels.Names), MemberType = typeof(ExportModels))]
    public void PyTorch_loads_the_file_and_agrees_when_asked(string name)
    {
        if (Environment.GetEnvironmentVariable("FNN_TORCH_CHECK") != "1")
        {
            output.WriteLine("skipped: set FNN_TORCH_CHECK=1 (needs python3-torch) to load the file into PyTorch");
            return;
        }
        CompareWithPython(name, torch: true);
    }

    void CompareWithPython(string name, bool torch)
    {
        if (!Python.Available)
        {
            output.WriteLine($"skipped: {Python.Path} is missing, so the independent reader cannot run");
            return;
        }
        var m = ExportModels.Named(name);
        using var dir = new TempDir();
        var model = Path.Combine(dir.Path, "model.safetensors");
        FinAssert.Succ(SafeTensors.Export(model, m.Net, m.Params, m.State));
        // The plain-Python convolution costs about 0.1 s a 28×28 sample: 16 samples keep the test short.
        var batch = m.Net.InputShape.IsImage ? Mat.RowRange(m.Batch, 0, 16) : m.Batch;
        var input = dir.WriteText("input.json", Json(batch.ToRowArrays()));
        var result = Path.Combine(dir.Path, "output.json");
        string[] args = [Python.Script("safetensors_forward.py"), model, input, result];
        var (code, text) = Python.Run(torch ? [.. args, "--torch"] : args);
        Assert.True(code == 0, text);
        var theirs = JsonNode
            .Parse(File.ReadAllText(result))!
            .AsArray()
            .SelectMany(r => r!.AsArray().Select(v => v!.GetValue<double>()))
            .ToArray();
        var ours = m.Net.Predict(m.Params, m.State, batch).ToRowArrays().SelectMany(r => r).ToArray();
        var diff = ExportModels.MaxRelativeDifference(ours, theirs);
        output.WriteLine($"{name}{(torch ? " (PyTorch)" : "")}: {text.Trim()}; max relative difference {diff:E3}");
        Assert.True(diff <= Tolerance, $"{name}: max relative difference {diff:E3} > {Tolerance:E0}");
    }

    /// <summary>Each double in its shortest round-trip form, which Python's float() reads back exactly.</summary>
    static string Json(double[][] rows) =>
        "["
        + string.Join(
            ",",
            rows.Select(r => "[" + string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]")
        )
        + "]";

    // ---- damaged and mismatched files ----

    static (JsonObject Header, byte[] Data) Split(byte[] bytes)
    {
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return (JsonNode.Parse(bytes.AsSpan(8, n))!.AsObject(), bytes[(8 + n)..]);
    }

    static byte[] Join(JsonObject header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    static byte[] Good => SafeTensors.Encode(ExportModels.Named("digits-bn").Net, Model.Params, Model.State);

    static ExportModel Model => ExportModels.Named("digits-bn");

    static byte[] Edit(Action<JsonObject> f)
    {
        var (h, d) = Split(Good);
        f(h);
        return Join(h, d);
    }

    static string Error(byte[] bytes, params string[] fragments)
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.safetensors", bytes);
        var e = FinAssert.Fail(SafeTensors.Import(path), [path, .. fragments]);
        Assert.DoesNotContain("Exception", e, StringComparison.Ordinal); // no stack trace or exception name
        return e;
    }

    [Fact]
    public void A_tensor_of_another_shape_is_named_with_both_shapes() =>
        Error(
            Edit(h => h["0.affine.W"]!["shape"] = new JsonArray(32, 64)),
            "tensor '0.affine.W' is 32×64, the network expects 64×32"
        );

    [Fact]
    public void A_missing_tensor_is_named_with_its_expected_shape() =>
        Error(
            Edit(h =>
            {
                var b = h["3.affine.b"]!.DeepClone();
                h.Remove("3.affine.b");
                h["3.affine.bias"] = b;
            }),
            "tensor '3.affine.b' is missing (the network expects 1×10)"
        );

    [Fact]
    public void A_spec_whose_layer_sizes_differ_from_the_tensors_names_the_tensor()
    {
        var e = Error(
            Edit(h =>
            {
                var meta = h["__metadata__"]!;
                var spec = JsonNode.Parse(meta["network"]!.GetValue<string>())!;
                spec["layers"]![0]!["out"] = 16; // Affine 64→16, BatchNorm still 32: the chain is invalid
                meta["network"] = spec.ToJsonString();
            }),
            "byte 8: __metadata__.network"
        );
        output.WriteLine(e);
    }

    [Fact]
    public void A_truncated_file_names_the_byte_where_a_tensor_runs_out()
    {
        var good = Good;
        var e = Error(good[..(good.Length - 10)], "lie outside the");
        Assert.Matches(@"byte \d+: tensor '1\.batchnorm\.running_var'", e);
    }

    [Fact]
    public void A_header_length_beyond_the_file_is_refused_at_byte_0()
    {
        var bytes = Good;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)bytes.Length);
        Error(bytes, "byte 0: header length");
        Error(bytes[..5], "byte 0: file is 5 bytes");
    }

    [Fact]
    public void A_header_that_is_not_json_names_the_byte()
    {
        var bytes = Good;
        bytes[8 + 1] = (byte)','; // {, …
        Error(bytes, "byte 9: the header is not valid JSON");
    }

    [Fact]
    public void Overlapping_or_oversized_offsets_name_the_byte() =>
        Error(
            Edit(h =>
            {
                var b = h["0.affine.b"]!["data_offsets"]!;
                var begin = b[0]!.GetValue<long>();
                h["0.affine.b"]!["data_offsets"] = new JsonArray(begin - 8, begin - 8 + 32 * 8);
            }),
            "overlaps the tensor before it"
        );

    [Fact]
    public void A_file_without_the_network_spec_says_so() =>
        Error(Edit(h => h.Remove("__metadata__")), "byte 8: the header has no __metadata__");

    [Fact]
    public void A_tensor_that_is_not_part_of_the_network_is_named()
    {
        var (h, d) = Split(Good);
        h["9.extra.x"] = new JsonObject
        {
            ["dtype"] = "F64",
            ["shape"] = new JsonArray(1, 1),
            ["data_offsets"] = new JsonArray(d.Length, d.Length + 8),
        };
        Error(Join(h, [.. d, .. new byte[8]]), "tensor '9.extra.x' is not part of the network");
    }

    [Fact]
    public void A_tensor_named_twice_is_refused_at_its_byte()
    {
        var (h, d) = Split(Good);
        var json = h.ToJsonString();
        var entry = "\"0.affine.b\":" + h["0.affine.b"]!.ToJsonString();
        var twice = json.Replace(entry, entry + "," + entry, StringComparison.Ordinal);
        var header = Encoding.UTF8.GetBytes(twice);
        var bytes = new byte[8 + header.Length + d.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        d.CopyTo(bytes, 8 + header.Length);
        var e = Error(bytes, "names a property twice");
        Assert.Matches(@": byte \d+: ", e);
    }
}
