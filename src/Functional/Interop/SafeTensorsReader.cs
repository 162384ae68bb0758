using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Layers;
using Functional.Models;
using LanguageExt;

namespace Functional.Interop;

/// <summary>
/// Parses and checks a safetensors file: the header length against the file, the header as JSON, every tensor's
/// dtype, shape and byte range (which must tile the data exactly, as the format requires), then the network from
/// the metadata and each of its arrays against the tensors. Every error is one line naming the byte offset or the
/// tensor.
/// </summary>
internal static class SafeTensorsReader
{
    /// <summary>A file that is not a safetensors file of a network; the message is one line.</summary>
    internal sealed class FormatError(string message) : Exception(message);

    /// <summary>The format's own bound on the header (100 MB), which also keeps a damaged length from allocating.</summary>
    const long MaxHeader = 100_000_000;

    sealed record Entry(string Name, string DType, ImmutableArray<int> Shape, long Begin, long End)
    {
        public int Size => DType == "F64" ? 8 : 4;
    }

    static FormatError Bad(long offset, string what) => new($"byte {offset}: {what}");

    static string ShapeText(IReadOnlyCollection<int> dims) => dims.Count == 0 ? "a scalar" : string.Join('×', dims);

    public static ImportedModel Read(byte[] bytes, LayerKinds? kinds)
    {
        if (bytes.Length < 8)
            throw Bad(0, $"file is {bytes.Length} bytes, too short for the 8-byte header length");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8) || n > MaxHeader)
            throw Bad(0, $"header length {n} exceeds the {bytes.Length - 8} bytes after it (or the format's 100 MB)");
        var dataStart = 8 + (long)n;
        var header = ParseHeader(bytes.AsSpan(8, (int)n));
        var entries = Entries(header, dataStart, bytes.Length - dataStart);
        var net = Network(header, kinds);
        return Match(net, entries, bytes, dataStart);
    }

    static JsonObject ParseHeader(ReadOnlySpan<byte> json)
    {
        // JsonNode decodes strings lazily and would throw on a bad sequence at first use: check the whole header now.
        var status = System.Text.Unicode.Utf8.ToUtf16(json, new char[json.Length], out var valid, out _, false);
        if (status == System.Buffers.OperationStatus.InvalidData)
            throw Bad(8 + valid, "the header is not valid UTF-8");
        try
        {
            // A name given twice is refused by the format; the parser then stops at it (with its position).
            var options = new JsonDocumentOptions { AllowDuplicateProperties = false };
            return JsonNode.Parse(json, null, options) as JsonObject ?? throw Bad(8, "the header is not a JSON object");
        }
        catch (JsonException e)
        {
            var at = e.LineNumber == 0 && e.BytePositionInLine is long p ? 8 + p : 8;
            throw Bad(
                at,
                "the header is not valid JSON or names a property twice"
                    + (e.LineNumber > 0 ? $" (line {e.LineNumber + 1})" : "")
            );
        }
    }

    static List<Entry> Entries(JsonObject header, long dataStart, long dataLength)
    {
        var list = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
                continue;
            FormatError Wrong(string what) => Bad(8, $"tensor '{name}': {what}");
            var o = node as JsonObject ?? throw Wrong("its header entry is not an object");
            var dtype = o["dtype"] is JsonValue dv && dv.TryGetValue<string>(out var d) ? d : null;
            if (dtype is not ("F64" or "F32"))
                throw Wrong($"dtype {o["dtype"]?.ToJsonString() ?? "missing"} is not F64 or F32");
            var shape =
                o["shape"] is JsonArray sa && sa.All(x => x is JsonValue v && v.TryGetValue<int>(out var k) && k >= 0)
                    ? sa.Select(x => x!.GetValue<int>()).ToImmutableArray()
                    : throw Wrong($"shape {o["shape"]?.ToJsonString() ?? "missing"} is not a list of sizes ≥ 0");
            var offsets =
                o["data_offsets"] is JsonArray oa
                && oa.Count == 2
                && oa.All(x => x is JsonValue v && v.TryGetValue<long>(out var k) && k >= 0)
                    ? (Begin: oa[0]!.GetValue<long>(), End: oa[1]!.GetValue<long>())
                    : throw Wrong(
                        $"data_offsets {o["data_offsets"]?.ToJsonString() ?? "missing"} are not [begin, end] ≥ 0"
                    );
            var e = new Entry(name, dtype, shape, offsets.Begin, offsets.End);
            if (e.End < e.Begin || e.End > dataLength)
                throw Bad(
                    dataStart + e.Begin,
                    $"tensor '{name}': data_offsets [{e.Begin}, {e.End}] (bytes {dataStart + e.Begin}–{dataStart + e.End} of the file) lie outside the {dataLength} data bytes"
                );
            var elements = shape.Aggregate(1L, (a, k) => a * k > dataLength ? dataLength + 1 : a * k);
            if (e.End - e.Begin != elements * e.Size)
                throw Bad(
                    dataStart + e.Begin,
                    $"tensor '{name}': data_offsets [{e.Begin}, {e.End}] hold {e.End - e.Begin} bytes, a {ShapeText(shape)} {dtype} tensor needs {elements * e.Size}"
                );
            list.Add(e);
        }
        var expected = 0L;
        foreach (var e in list.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw Bad(
                    dataStart + e.Begin,
                    e.Begin < expected
                        ? $"tensor '{e.Name}' overlaps the tensor before it, which ends at byte {dataStart + expected}"
                        : $"{e.Begin - expected} bytes before tensor '{e.Name}' belong to no tensor"
                );
            expected = e.End;
        }
        if (expected != dataLength)
            throw Bad(dataStart + expected, $"{dataLength - expected} bytes after the last tensor belong to no tensor");
        return list;
    }

    static Network Network(JsonObject header, LayerKinds? kinds)
    {
        var meta =
            header["__metadata__"] as JsonObject
            ?? throw Bad(8, "the header has no __metadata__: the file does not say which network it holds");
        var spec =
            meta[SafeTensors.NetworkKey] is JsonValue v && v.TryGetValue<string>(out var s)
                ? s
                : throw Bad(
                    8,
                    $"__metadata__ has no '{SafeTensors.NetworkKey}' string: the file does not say which network it holds"
                );
        try
        {
            return NetworkSpec.FromJson(JsonNode.Parse(spec), kinds);
        }
        catch (Exception e)
            when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw Bad(8, $"__metadata__.{SafeTensors.NetworkKey}: {e.Message}");
        }
    }

    /// <summary>The network's arrays, its sizes checked against the <paramref name="held"/> values of the file
    /// before anything is allocated from them.</summary>
    static IReadOnlyList<OwnedArray> Owned(Network net, long held)
    {
        FormatError Spec(string what) => Bad(8, $"__metadata__.{SafeTensors.NetworkKey}: {what}");
        try
        {
            var needed = 0L;
            var shape = net.InputShape;
            foreach (var (layer, i) in net.Indexed)
            {
                var arrays = layer.ParamShapes(shape).Concat(layer.StateShapes(shape)).ToList();
                if (arrays.Any(a => a.Rows <= 0 || a.Columns <= 0))
                    throw Spec($"layer {i} has a size ≤ 0");
                needed += arrays.Sum(a => a.Size);
                shape = layer.OutputShape(shape);
            }
            if (needed > held)
                throw Spec($"the network needs {needed} values, the file holds {held}");
            return ModelArrays.Of(net);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw Spec(e.Message);
        }
    }

    static ImportedModel Match(Network net, List<Entry> entries, byte[] bytes, long dataStart)
    {
        var byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var ps = Map<ParamKey, Tensor>.Empty;
        var st = Map<ParamKey, Tensor>.Empty;
        foreach (var a in Owned(net, entries.Sum(e => (e.End - e.Begin) / e.Size)))
        {
            if (!byName.Remove(a.FileName, out var e))
                throw new FormatError($"tensor '{a.FileName}' is missing (the network expects {ShapeText(a.Dims)})");
            if (!e.Shape.SequenceEqual(a.Dims))
                throw new FormatError(
                    $"tensor '{a.FileName}' is {ShapeText(e.Shape)}, the network expects {ShapeText(a.Dims)}"
                );
            var values = new double[(e.End - e.Begin) / e.Size];
            var at = (int)(dataStart + e.Begin);
            for (var k = 0; k < values.Length; k++)
                values[k] =
                    e.Size == 8
                        ? BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(at + 8 * k))
                        : BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at + 4 * k));
            var t = RowMajor.ToTensor(a.Dims, values);
            if (a.IsState)
                st = st.Add(a.Key, t);
            else
                ps = ps.Add(a.Key, t);
        }
        var extra = byName.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
        if (extra is not null)
            throw new FormatError($"tensor '{extra}' is not part of the network");
        return new ImportedModel(net, new Params(ps), new ModelState(st));
    }
}
