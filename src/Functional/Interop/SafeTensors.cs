using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Functional.Core;
using Functional.Layers;
using Functional.Models;
using Functional.Training;
using LanguageExt;
using LanguageExt.Common;

namespace Functional.Interop;

/// <summary>
/// Parameters and running statistics as a safetensors file (huggingface.co/docs/safetensors): an 8-byte
/// little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, then the data,
/// row-major and little-endian. Tensors are named by layer, kind and role (<c>0.affine.W</c>, <c>0.affine.b</c>,
/// <c>1.batchnorm.gamma</c>, <c>1.batchnorm.running_mean</c>), with the shapes of <see cref="Params"/> (a weight
/// In×Out, a bias 1×Out). The header's <c>__metadata__</c> holds the network's JSON spec under <c>network</c>, so
/// the file alone rebuilds the network (<see cref="Import"/>).
/// </summary>
public static class SafeTensors
{
    /// <summary>The metadata key of the network spec.</summary>
    public const string NetworkKey = "network";

    /// <summary>Writes the file whole or not at all (<see cref="AtomicFile"/>); a failure is a <c>Fin</c> error
    /// naming the file. Arrays that do not match the network are an <see cref="ArgumentException"/>.</summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="net">The network (its spec goes to the metadata).</param>
    /// <param name="ps">Its parameters.</param>
    /// <param name="st">Its model state.</param>
    /// <param name="dtype">F64 (exact) or F32 (rounded).</param>
    public static Fin<Unit> Export(
        string path,
        Network net,
        Params ps,
        ModelState st,
        SafeTensorsDType dtype = SafeTensorsDType.F64
    )
    {
        var bytes = Encode(net, ps, st, dtype);
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

    /// <summary>The bytes <see cref="Export"/> writes.</summary>
    public static byte[] Encode(Network net, Params ps, ModelState st, SafeTensorsDType dtype = SafeTensorsDType.F64)
    {
        ArgumentNullException.ThrowIfNull(net);
        var owned = ModelArrays.Require(net, ps, st, "safetensors export");
        var size = dtype == SafeTensorsDType.F64 ? 8 : 4;
        var header = new JsonObject
        {
            ["__metadata__"] = new JsonObject
            {
                ["producer"] = "Functional",
                [NetworkKey] = NetworkSpec.ToJson(net).ToJsonString(),
            },
        };
        var offset = 0L;
        foreach (var a in owned)
        {
            var end = offset + (long)ModelArrays.Find(a, ps, st)!.Length * size;
            header[a.FileName] = new JsonObject
            {
                ["dtype"] = dtype.ToString(),
                ["shape"] = new JsonArray([.. a.Dims.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, end),
            };
            offset = end;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // the data starts 8-byte aligned; the format allows trailing spaces
        var bytes = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        var pos = 8 + padded;
        foreach (var a in owned)
        foreach (var v in RowMajor.Of(ModelArrays.Find(a, ps, st)!))
        {
            if (dtype == SafeTensorsDType.F64)
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(pos), v);
            else
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(pos), (float)v);
            pos += size;
        }
        return bytes;
    }

    /// <summary>
    /// Reads a file written by <see cref="Export"/> (or by any writer that keeps its names, shapes and metadata):
    /// the network from the metadata, then every tensor checked against it. Every failure is a one-line
    /// <c>Fin</c> error naming the file and the byte offset, or the tensor with its expected and actual shape.
    /// </summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="kinds">The layer types its network may name (default <see cref="LayerKinds.BuiltIn"/>).</param>
    public static Fin<ImportedModel> Import(string path, LayerKinds? kinds = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Error.New($"{path}: cannot read safetensors file: {e.Message.ReplaceLineEndings(" ")}");
        }
        return Decode(bytes, path, kinds);
    }

    /// <summary><see cref="Import"/> of bytes in memory; <paramref name="source"/> names them in errors.</summary>
    public static Fin<ImportedModel> Decode(byte[] bytes, string source, LayerKinds? kinds = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return SafeTensorsReader.Read(bytes, kinds);
        }
        catch (SafeTensorsReader.FormatError e)
        {
            return Error.New($"{source}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
